import pg from 'pg';

import { pgDb } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { type FileClaim, identityKey, type OffsetStore } from '../../logs/offsets.ts';
import {
  loadLogOffsets,
  type LogAlert,
  recordFindings,
  type RecordOptions,
  saveLogOffsets,
} from './findings.ts';

const log = logger.child({ module: 'log-follow-lease' });

/**
 * The session advisory lock of one file (`dev:ino`), namespaced so that it cannot meet the import
 * or migration locks. Two files whose keys collide are simply followed by the same follower.
 */
const FILE_LOCK = `hashtextextended('bpetl.log_follow:' || k, 0)`;

export interface LeasedOffsetStore extends OffsetStore {
  claim(keys: string[]): Promise<FileClaim>;
  release(keys: string[]): Promise<void>;
  /** Ends the connection, which lets go of every file it held. */
  close(): Promise<void>;
}

export interface LeasedOffsetStoreOptions extends RecordOptions {
  onAlert?: (alert: LogAlert) => void;
  /** Shown in pg_stat_activity, so an operator can tell which process follows which file. */
  applicationName?: string;
}

/**
 * Follow progress for followers that share files (two servers with the same BPETL_LOG_PATHS, or
 * `bpetl logs --watch` beside a server): each file is followed by whichever follower holds its
 * advisory lock, on a connection of the follower's own. Batches commit on that same connection,
 * findings and offsets in one transaction, so they commit only while the lock is held: when a
 * follower dies its connection ends, its open batch rolls back and its locks go with it, and the
 * next follower to claim the file starts from the offset that last committed. No line is counted
 * twice and none is lost.
 */
export function createLeasedPgOffsetStore(
  settings: pg.ClientConfig,
  options: LeasedOffsetStoreOptions = {},
): LeasedOffsetStore {
  let client: pg.Client | null = null;
  let closed = false;
  const held = new Set<string>();

  const lost = (c: pg.Client, why: string) => {
    if (client !== c) return;
    client = null;
    if (held.size > 0) log.warn({ files: held.size, why }, 'log follow connection lost; its files are free');
    held.clear();
  };

  /** The follower's connection; a new one holds nothing until claim() takes files again. */
  async function connection(): Promise<pg.Client> {
    if (closed) throw new AppError('INTERNAL', 'The log offset store is closed');
    if (client) return client;
    const c = new pg.Client({
      ...settings,
      application_name: options.applicationName ?? 'bpetl-log-follower',
    });
    c.on('error', (err) => lost(c, err.message));
    c.on('end', () => lost(c, 'connection ended'));
    await c.connect();
    client = c;
    return c;
  }

  async function take(c: pg.Client, keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const { rows } = await c.query<{ k: string }>(
      `select k from unnest($1::text[]) as k where pg_try_advisory_lock(${FILE_LOCK})`,
      [keys],
    );
    return rows.map((r) => r.k);
  }

  return {
    async load() {
      return loadLogOffsets(pgDb(await connection()));
    },

    async claim(keys): Promise<FileClaim> {
      const c = await connection();
      const taken = await take(
        c,
        keys.filter((k) => !held.has(k)),
      );
      taken.forEach((k) => held.add(k));
      const fresh = new Set(taken);
      const offsets = taken.length
        ? (await loadLogOffsets(pgDb(c))).filter((o) => fresh.has(identityKey(o)))
        : [];
      return { held: new Set(held), taken, offsets };
    },

    async release(keys) {
      const mine = keys.filter((k) => held.has(k));
      if (mine.length === 0 || !client) return;
      await client.query(`select pg_advisory_unlock(${FILE_LOCK}) from unnest($1::text[]) as k`, [mine]);
      mine.forEach((k) => held.delete(k));
    },

    async commit(batch) {
      // Never reconnect here: a new connection holds no lock, and committing without one is what
      // would let two followers count the same lines.
      const c = client;
      const foreign = batch.offsets.filter((o) => !held.has(identityKey(o)));
      if (!c || foreign.length > 0) {
        throw new AppError(
          'DATABASE_UNAVAILABLE',
          'The log follow connection holding these files is gone; not committing',
          {
            files: foreign.map((o) => o.path),
          },
        );
      }
      await c.query('begin');
      let alerts: LogAlert[];
      try {
        const tx = pgDb(c);
        alerts = (await recordFindings(tx, batch.findings, options)).alerts;
        await saveLogOffsets(tx, batch.offsets);
        await c.query('commit');
      } catch (err) {
        await c.query('rollback').catch(() => undefined);
        throw err;
      }
      alerts.forEach((alert) => options.onAlert?.(alert));
    },

    async close() {
      closed = true;
      const c = client;
      client = null;
      held.clear();
      await c?.end().catch(() => undefined);
    },
  };
}
