import { NonRetryableError } from '@durable/core';
import { DurableTestRunner } from '@durable/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Album, PhotoAlbumService, photoDependencies } from '../src/photo-fan-out.js';

const album: Album = { albumId: 'a-1', owner: 'ada', photos: ['beach.jpg', 'notes.pdf', 'dunes.png', 'pier.jpg'] };

let resized: string[];
let indexed: string[][];
let notified: string[][];
/** Photos whose next resize fails with a transient error, and how many times. */
let outages: Map<string, number>;

beforeEach(() => {
  resized = [];
  indexed = [];
  notified = [];
  outages = new Map();
  photoDependencies.resizer = {
    resize: async (photo) => {
      resized.push(photo);
      if (!/\.(jpe?g|png)$/.test(photo)) throw new NonRetryableError(`${photo} is not a JPEG or PNG image`);
      const left = outages.get(photo) ?? 0;
      if (left > 0) {
        outages.set(photo, left - 1);
        throw new Error(`resizer timed out on ${photo}`);
      }
      return `thumbs/${photo}`;
    },
  };
  photoDependencies.channels = {
    index: async (_albumId, thumbnails) => void indexed.push(thumbnails),
    notify: async (_owner, _albumId, failed) => void notified.push(failed),
  };
});

describe('PhotoAlbumService', () => {
  it('publishes the photos that resized and reports the one that cannot be', async () => {
    const runner = new DurableTestRunner({ services: [PhotoAlbumService] });
    const done = await runner.run(PhotoAlbumService, 'publish', album);

    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({
      thumbnails: ['thumbs/beach.jpg', 'thumbs/dunes.png', 'thumbs/pier.jpg'],
      failed: ['notes.pdf'],
      published: ['search-index', 'owner'],
    });
    expect(indexed).toEqual([['thumbs/beach.jpg', 'thumbs/dunes.png', 'thumbs/pier.jpg']]);
    expect(notified).toEqual([['notes.pdf']]);
    // A file that is no image is not retried: one attempt, recorded with the error it failed with.
    const pdf = done.journal.find((entry) => entry.name === 'resize' && entry.status === 'FAILED');
    expect(pdf?.attempts).toBe(1);
    expect(pdf?.error).toBeInstanceOf(NonRetryableError);
  });

  it('records each photo at its own position, whatever order the branches end in', async () => {
    const runner = new DurableTestRunner({ services: [PhotoAlbumService] });
    const done = await runner.run(PhotoAlbumService, 'publish', album);

    expect(done.at(1)).toMatchObject({ kind: 'map', name: 'thumbnails', status: 'SUCCEEDED' });
    expect(album.photos.map((_, index) => done.at(`1.${index + 1}.1`)?.args)).toEqual(
      album.photos.map((photo) => [photo]),
    );
    expect(done.at(2)).toMatchObject({ kind: 'parallel', name: 'announce', status: 'SUCCEEDED' });
  });

  it('retries a transient failure of one photo without resizing the others again', async () => {
    outages.set('dunes.png', 2);
    const runner = new DurableTestRunner({ services: [PhotoAlbumService] });
    const done = await runner.run(PhotoAlbumService, 'publish', album);

    expect(done.output?.failed).toEqual(['notes.pdf']);
    expect(done.at('1.3.1')?.attempts).toBe(3);
    // Each retry after a backoff is a new invocation that replays the map: the finished photos are not redone.
    expect(resized.filter((photo) => photo === 'beach.jpg')).toHaveLength(1);
    expect(resized.filter((photo) => photo === 'dunes.png')).toHaveLength(3);
    expect(done.invocations).toBeGreaterThan(1);
  });

  it('reports a photo that keeps failing once its attempts are used up', async () => {
    outages.set('pier.jpg', 3);
    const runner = new DurableTestRunner({ services: [PhotoAlbumService] });
    const done = await runner.run(PhotoAlbumService, 'publish', album);

    expect(done.output?.failed).toEqual(['notes.pdf', 'pier.jpg']);
    expect(done.at('1.4.1')).toMatchObject({ status: 'FAILED', attempts: 3 });
  });

  it('after a crash in the fan-out resizes only the photos not yet recorded', async () => {
    const runner = new DurableTestRunner({ services: [PhotoAlbumService] });
    const crashed = await runner.run(PhotoAlbumService, 'publish', album, { crash: { afterCheckpoint: '1.1.1' } });
    expect(crashed.status).toBe('RUNNING');
    const recorded = crashed.journal.filter((entry) => entry.name === 'resize').map((entry) => entry.args?.[0]);
    expect(recorded).toContain('beach.jpg');

    const done = await runner.resume(crashed.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toMatchObject({ failed: ['notes.pdf'] });
    for (const photo of recorded) expect(resized.filter((p) => p === photo)).toHaveLength(1);
  });
});
