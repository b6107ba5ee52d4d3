import { readFile, rename, writeFile } from 'node:fs/promises';

import type { ClassifiedEntry, LogFinding } from './types.ts';

/** Where a follower stopped in one file; `dev`+`ino` (decimal strings) identify it across renames. */
export interface FollowOffset {
  dev: string;
  ino: string;
  path: string;
  offset: number;
}

export interface FollowBatch {
  /** This batch's entries folded by fingerprint. */
  findings: LogFinding[];
  entries: ClassifiedEntry[];
  /** New offsets of the files this batch read. */
  offsets: FollowOffset[];
}

/**
 * Persists follow progress. `commit` must store the batch's offsets together with whatever it does
 * with the findings, so that a crash can neither lose entries nor deliver them twice.
 */
export interface OffsetStore {
  load(): Promise<FollowOffset[]>;
  commit(batch: FollowBatch): Promise<void>;
  /**
   * For a store several followers share: of the files `keys` (identityKey) names, which this
   * follower holds now, taking any that no other follower holds. `taken` lists the ones it has just
   * taken, with their saved offsets in `offsets`: the follower starts those afresh from there,
   * because another follower may have moved them on. Without `claim`, a follower reads every file.
   */
  claim?(keys: string[]): Promise<FileClaim>;
  /** Lets other followers have files this one has finished (gone from disk, their rest read). */
  release?(keys: string[]): Promise<void>;
}

export interface FileClaim {
  held: ReadonlySet<string>;
  taken: readonly string[];
  offsets: readonly FollowOffset[];
}

export function identityKey(o: { dev: string; ino: string }): string {
  return `${o.dev}:${o.ino}`;
}

/**
 * Offsets in a JSON file, for following without a database. The file is replaced atomically
 * (write, then rename) so a crash mid-write leaves the previous offsets intact.
 */
export function createFileOffsetStore(file: string): OffsetStore {
  let offsets = new Map<string, FollowOffset>();
  return {
    async load() {
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { offsets?: FollowOffset[] };
        offsets = new Map((parsed.offsets ?? []).map((o) => [identityKey(o), o]));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      return [...offsets.values()];
    },
    async commit(batch) {
      for (const o of batch.offsets) offsets.set(identityKey(o), o);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ offsets: [...offsets.values()] }, null, 1));
      await rename(tmp, file);
    },
  };
}

/** Offsets kept in memory only: for tests and one-off runs. */
export function createMemoryOffsetStore(
  initial: FollowOffset[] = [],
): OffsetStore & { offsets: Map<string, FollowOffset> } {
  const offsets = new Map(initial.map((o) => [identityKey(o), o]));
  return {
    offsets,
    load: () => Promise.resolve([...offsets.values()]),
    commit(batch) {
      for (const o of batch.offsets) offsets.set(identityKey(o), o);
      return Promise.resolve();
    },
  };
}
