import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';

import { logger } from '../logger.ts';
import { FindingAggregator } from './aggregate.ts';
import { type Classifier, createClassifier } from './classifier.ts';
import { EntrySplitter } from './entry-splitter.ts';
import { detectFormat } from './formats/detect.ts';
import { type FileClaim, type FollowOffset, identityKey, type OffsetStore } from './offsets.ts';
import { expandPaths } from './paths.ts';
import { CHUNK_SIZE, READ_FLAGS } from './reader.ts';
import type { ClassifiedEntry, LogFinding, LogPattern, LogProblem } from './types.ts';

export interface FollowOptions {
  /** Files, directories and globs; re-expanded on every poll so new files are picked up. */
  paths: string[];
  patterns?: LogPattern[];
  store: OffsetStore;
  /**
   * Poll period. Default 500 ms: stat-polling is what survives rotation (fs.watch loses renamed
   * files and misses events on network filesystems), and half a second is cheap even for hundreds.
   */
  intervalMs?: number;
  /**
   * A file quiet this long gets its last entry processed even though no next entry has shown that
   * it is complete. Default 2000 ms: longer than any writer takes to finish one multi-line entry.
   */
  idleFlushMs?: number;
  /**
   * Where to start in a file that has no saved offset and was there at the first poll: `end`
   * (default, like tail -F: the history is --analyze's job) or `start`. Files that appear later are
   * always read from their start, so nothing written after the follower started is missed.
   */
  startAt?: 'start' | 'end';
  /** Each occurrence, after its batch was committed; `count` is the running count in this follower. */
  onFinding?: (finding: LogFinding, entry: ClassifiedEntry) => void;
  onProblem?: (problem: LogProblem) => void;
  now?: () => number;
}

interface Tracked {
  key: string;
  dev: string;
  ino: string;
  path: string;
  fh: FileHandle;
  /** Bytes before this have been read; reading restarts here every poll. */
  offset: number;
  /** The offset the store has; `offset` falls back to it when a commit fails. */
  committed: number;
  /** Whether `committed` is inside a line cut at the splitter's bound. */
  committedInCutLine: boolean;
  splitter: EntrySplitter | null;
  lastSize: number;
  lastGrowth: number;
  /** The bytes just before `offset`, to notice a file truncated and refilled past it between polls. */
  guard: Buffer;
  reportedBinary: number;
  reportedLong: number;
  /**
   * No offset was saved for this file when it was opened. Its starting offset is committed with the
   * next batch even if nothing was read, so a follower taking the file over starts where this one did.
   */
  unsaved: boolean;
}

const GUARD_BYTES = 64;

/** Follows log files as they grow (see FollowOptions); `poll()` is one step, `run()` loops until aborted. */
export class LogFollower {
  private readonly classifier: Classifier;
  private readonly tracked = new Map<string, Tracked>();
  private readonly aggregator: FindingAggregator;
  /** Offsets loaded from the store at the first poll. */
  private saved = new Map<string, FollowOffset>();
  private started = false;
  private batch: ClassifiedEntry[] = [];
  private readonly now: () => number;

  constructor(private readonly options: FollowOptions) {
    this.classifier = createClassifier(options.patterns);
    this.aggregator = new FindingAggregator(this.classifier.categories);
    this.now = options.now ?? Date.now;
  }

  /** Polls every intervalMs until `signal` aborts, then closes its files. */
  async run(signal?: AbortSignal): Promise<void> {
    const interval = this.options.intervalMs ?? 500;
    try {
      while (!signal?.aborted) {
        // A failed poll (database down for a commit) is retried from the committed offsets.
        await this.poll().catch((err: unknown) => {
          logger.warn({ err: { message: (err as Error).message } }, 'log follow poll failed; retrying');
          this.options.onProblem?.({ file: '', reason: `poll failed: ${(err as Error).message}` });
        });
        await new Promise<void>((resolve) => {
          // The abort listener goes when the timer fires: one left per poll would pile up for ever.
          const onAbort = () => (clearTimeout(timer), resolve());
          const timer = setTimeout(
            () => (signal?.removeEventListener('abort', onAbort), resolve()),
            interval,
          );
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
    } finally {
      await this.close();
    }
  }

  /** One pass: find files, read what they gained, commit entries and offsets together. */
  async poll(): Promise<number> {
    if (!this.started) {
      this.saved = new Map((await this.options.store.load()).map((o) => [identityKey(o), o]));
    }
    const { files } = await expandPaths(this.options.paths);
    const present = new Map<string, string>();
    for (const file of files) {
      const st = await stat(file, { bigint: true }).catch(() => null);
      if (st?.isFile()) present.set(`${st.dev}:${st.ino}`, file);
    }
    const claim = await this.claim([...new Set([...present.keys(), ...this.tracked.keys()])]);
    const mine = (key: string) => claim === null || claim.held.has(key);
    const entries: ClassifiedEntry[] = (this.batch = []);
    const changed: Tracked[] = [];
    // Files renamed away or deleted first: their rest comes before whatever replaced them. They
    // stay open (readable even when deleted) until that rest is committed.
    const vanished = [...this.tracked.values()].filter((t) => !present.has(t.key));
    for (const t of vanished) if (await this.read(t, true)) changed.push(t);
    for (const [key, file] of present) {
      if (!mine(key)) continue;
      const t = this.tracked.get(key) ?? (await this.track(key, file));
      if (!t) continue;
      t.path = file;
      if ((await this.read(t, false)) || t.unsaved) changed.push(t);
    }
    this.started = true;
    if (changed.length > 0) await this.commit(entries, changed);
    for (const t of vanished) await this.untrack(t);
    if (vanished.length > 0) await this.options.store.release?.(vanished.map((t) => t.key));
    return entries.length;
  }

  async close(): Promise<void> {
    for (const t of this.tracked.values()) await t.fh.close().catch(() => undefined);
    this.tracked.clear();
  }

  /**
   * Asks a shared store which files are this follower's. A file another follower holds now is
   * dropped (what was read of it and not committed is that follower's to read); a file just taken
   * is reopened from its saved offset, which its previous holder may have moved since.
   */
  private async claim(keys: string[]): Promise<FileClaim | null> {
    if (!this.options.store.claim) return null;
    const claim = await this.options.store.claim(keys);
    for (const o of claim.offsets) this.saved.set(identityKey(o), o);
    const taken = new Set(claim.taken);
    for (const t of [...this.tracked.values()]) {
      if (!claim.held.has(t.key) || taken.has(t.key)) await this.untrack(t);
    }
    return claim;
  }

  private async untrack(t: Tracked): Promise<void> {
    await t.fh.close().catch(() => undefined);
    this.tracked.delete(t.key);
  }

  private async track(key: string, file: string): Promise<Tracked | null> {
    let fh: FileHandle;
    try {
      fh = await open(file, READ_FLAGS);
    } catch (err) {
      this.options.onProblem?.({ file, reason: (err as Error).message });
      return null;
    }
    const st = await fh.stat({ bigint: true });
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    // Compressed files are finished rotations: history for the analyzer, not something that grows.
    if (head[0] === 0x1f && head[1] === 0x8b) {
      await fh.close();
      return null;
    }
    const saved = this.saved.get(key);
    const size = Number(st.size);
    const offset = saved
      ? Math.min(saved.offset, size)
      : !this.started && (this.options.startAt ?? 'end') === 'end'
        ? size
        : 0;
    const t: Tracked = {
      key,
      dev: String(st.dev),
      ino: String(st.ino),
      path: file,
      fh,
      offset,
      committed: offset,
      committedInCutLine: false,
      splitter: null,
      lastSize: size,
      lastGrowth: this.now(),
      guard: await this.readGuard(fh, offset),
      reportedBinary: 0,
      reportedLong: 0,
      unsaved: saved === undefined,
    };
    this.tracked.set(key, t);
    return t;
  }

  private async readGuard(fh: FileHandle, offset: number): Promise<Buffer> {
    const start = Math.max(0, offset - GUARD_BYTES);
    const buf = Buffer.alloc(offset - start);
    if (buf.length) await fh.read(buf, 0, buf.length, start);
    return buf;
  }

  /** Reads `t` from its offset; returns whether its offset moved. `final`: the file will not grow again. */
  private async read(t: Tracked, final: boolean): Promise<boolean> {
    const size = Number((await t.fh.stat()).size);
    const before = t.offset;
    const guard = await this.readGuard(t.fh, t.offset);
    if (size < t.offset || !guard.equals(t.guard)) {
      // copytruncate: the file was emptied in place (and may have been written again since).
      logger.debug({ file: t.path, offset: t.offset, size }, 'log file truncated; reading it from the start');
      t.offset = 0;
      t.guard = Buffer.alloc(0);
      t.splitter?.restart(false);
    }
    if (size > t.lastSize) t.lastGrowth = this.now();
    t.lastSize = size;
    const idle = this.now() - t.lastGrowth >= (this.options.idleFlushMs ?? 2000);
    while (t.offset < size) {
      const length = Math.min(CHUNK_SIZE * 2, size - t.offset);
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await t.fh.read(buf, 0, length, t.offset);
      const chunk = buf.subarray(0, bytesRead);
      if (!t.splitter) {
        if (EntrySplitter.isBinary(chunk.subarray(0, 64 * 1024))) {
          this.options.onProblem?.({ file: t.path, reason: 'binary content, not a text log: skipped' });
          t.offset = size;
          break;
        }
        const sample = Buffer.alloc(64 * 1024);
        const { bytesRead: n } = await t.fh.read(sample, 0, sample.length, 0);
        // Entries go to the current poll's batch: a splitter outlives the poll that created it.
        t.splitter = new EntrySplitter(
          detectFormat(sample.subarray(0, n).toString('utf8')),
          this.classifier,
          t.path,
          (e) => this.batch.push(e),
        );
      }
      const last = t.offset + bytesRead >= size;
      const mode = !last ? 'more' : final ? 'eof' : idle ? 'lines' : 'more';
      const consumed = t.splitter.feed(chunk, mode, t.offset);
      if (consumed === 0) break;
      t.offset += consumed;
    }
    if (t.splitter && t.splitter.binaryLines > t.reportedBinary) {
      this.options.onProblem?.({
        file: t.path,
        reason: `${t.splitter.binaryLines - t.reportedBinary} line(s) of binary content skipped`,
      });
      t.reportedBinary = t.splitter.binaryLines;
    }
    const long = t.splitter?.describeLongLines(t.reportedLong);
    if (long) {
      this.options.onProblem?.({ file: t.path, reason: long });
      t.reportedLong = t.splitter!.longLines;
    }
    if (t.offset === before) return false;
    t.guard = await this.readGuard(t.fh, t.offset);
    return true;
  }

  private async commit(entries: ClassifiedEntry[], changed: Tracked[]): Promise<void> {
    const batch = new FindingAggregator(this.classifier.categories);
    entries.forEach((e) => batch.add(e));
    const offsets = changed.map((t) => ({ dev: t.dev, ino: t.ino, path: t.path, offset: t.offset }));
    try {
      await this.options.store.commit({ findings: batch.findings(), entries, offsets });
    } catch (err) {
      // Read again from the last committed offsets next time: nothing is lost, nothing doubled.
      for (const t of changed) {
        t.offset = t.committed;
        t.splitter?.restart(t.committedInCutLine);
        t.guard = await this.readGuard(t.fh, t.offset);
      }
      throw err;
    }
    for (const t of changed) {
      t.committed = t.offset;
      t.committedInCutLine = t.splitter?.inCutLine ?? false;
      t.unsaved = false;
    }
    for (const e of entries) this.options.onFinding?.(this.aggregator.add(e), e);
  }
}

/** Follows `paths` until `signal` aborts (the `--watch` mode). */
export function followLogs(options: FollowOptions & { signal?: AbortSignal }): Promise<void> {
  return new LogFollower(options).run(options.signal);
}
