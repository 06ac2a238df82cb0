import { open, rename } from 'node:fs/promises';

/**
 * A JSON file that always holds a whole snapshot of some state: each save writes a temporary file, syncs it to
 * disk and renames it over the old one, so a crash at any instant leaves the old snapshot or the new one, never
 * half of one. Saves asked for while one is under way are coalesced into the next, which takes the state as it
 * is then.
 */
export class SnapshotFile {
  private writing: Promise<void> = Promise.resolve();
  private next: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly snapshot: () => unknown,
  ) {}

  /** Resolves once a write that began after this call is on disk; rejects if that write failed. */
  save(): Promise<void> {
    if (this.next !== undefined) return this.next;
    const next = this.writing
      .catch(() => {})
      .then(() => {
        this.next = undefined;
        return this.write(JSON.stringify(this.snapshot()));
      });
    this.next = next;
    this.writing = next;
    return next;
  }

  /** Resolves once no write is under way or waiting (whether the last one failed or not). */
  async idle(): Promise<void> {
    await this.writing.catch(() => {});
  }

  private async write(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${text}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }
}
