/**
 * Fan-out with partial failure: an album's photos are resized in parallel (at most four at once), a photo that
 * cannot be resized is reported instead of failing the album, and the album is then published to two places at
 * once. Each branch is checkpointed on its own: after a crash only the unfinished photos are resized again.
 */
import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

export interface Album {
  albumId: string;
  owner: string;
  photos: string[];
}

/** One photo's outcome: a branch that catches its own failure lets the others' results stand. */
export type Thumbnail = { photo: string; url: string } | { photo: string; failure: string };

export interface PublishedAlbum {
  thumbnails: string[];
  failed: string[];
  published: string[];
}

/** The image service; it throws `NonRetryableError` (from `@durable/core`) for a file that is no image: retrying cannot help. */
export interface ImageResizer {
  resize(photo: string): Promise<string>;
}

/** Where a finished album is announced. */
export interface AlbumChannels {
  index(albumId: string, thumbnails: string[]): Promise<void>;
  notify(owner: string, albumId: string, failed: string[]): Promise<void>;
}

export const photoDependencies: { resizer: ImageResizer; channels: AlbumChannels } = {
  resizer: { resize: async (photo) => `thumbs/${photo}` },
  channels: { index: async () => {}, notify: async () => {} },
};

@DurableService({ name: 'photo-albums' })
export class PhotoAlbumService {
  @Workflow()
  async publish(ctx: DurableContext, album: Album): Promise<PublishedAlbum> {
    const results = await ctx.map(
      'thumbnails',
      album.photos,
      async (photo): Promise<Thumbnail> => {
        try {
          return { photo, url: await this.resize(photo) };
        } catch (error) {
          // Without this catch the first failing photo would fail the whole map (after every branch ended).
          return { photo, failure: (error as Error).message };
        }
      },
      { maxConcurrency: 4 },
    );
    const thumbnails = results.flatMap((result) => ('url' in result ? [result.url] : []));
    const failed = results.flatMap((result) => ('failure' in result ? [result.photo] : []));

    const published = await ctx.parallel<string>('announce', [
      async () => {
        await this.index(album.albumId, thumbnails);
        return 'search-index';
      },
      async () => {
        await this.notifyOwner(album.owner, album.albumId, failed);
        return 'owner';
      },
    ]);
    return { thumbnails, failed, published };
  }

  // Transient errors (a timeout, a 503) are retried with backoff; NonRetryableError ends the step at once.
  @Step({ retry: { maxAttempts: 3, initialDelayMs: 500 } })
  async resize(photo: string): Promise<string> {
    return photoDependencies.resizer.resize(photo);
  }

  @Step()
  async index(albumId: string, thumbnails: string[]): Promise<void> {
    await photoDependencies.channels.index(albumId, thumbnails);
  }

  @Step()
  async notifyOwner(owner: string, albumId: string, failed: string[]): Promise<void> {
    await photoDependencies.channels.notify(owner, albumId, failed);
  }
}
