import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { copyLine, type CopyValue } from './copy-text.ts';

/**
 * Staging tables of one import: temporary, dropped at commit, so nothing of a failed or rolled-back
 * run survives. Columns are typed so COPY itself rejects a value the parser let through by mistake.
 */
export const STAGING_TABLES = {
  stg_teams: `ord integer not null, league text not null, club text not null, series text not null,
    series_display text not null, team_name text not null, team_alias text, team_key text not null,
    listed boolean not null, file text not null, idx integer not null`,
  stg_players: `ord integer not null, external_id text not null, first_name text not null,
    last_name text not null, league text not null, team_key text not null, pti numeric(6, 2),
    wins integer not null, losses integer not null, captain text not null, idx integer not null,
    team text not null, team_name text not null, club text not null, series text not null,
    series_name text not null`,
  stg_fixtures: `ord integer not null, league text not null, match_date date not null, match_time text,
    home_team text not null, away_team text not null, home_key text, away_key text, location text`,
  stg_stats: `ord integer not null, league text not null, team_key text not null, series text not null,
    team_name text not null, points integer not null, matches_won integer not null,
    matches_lost integer not null, matches_tied integer not null, lines_won integer not null,
    lines_lost integer not null, sets_won integer not null, sets_lost integer not null,
    games_won integer not null, games_lost integer not null`,
} as const;

export type StagingTable = keyof typeof STAGING_TABLES;

export async function createStagingTables(client: PoolClient): Promise<void> {
  for (const [name, columns] of Object.entries(STAGING_TABLES)) {
    // A second import in the same transaction starts from empty tables.
    await client.query(`drop table if exists pg_temp.${name}`);
    await client.query(`create temp table ${name} (${columns}) on commit drop`);
  }
}

/** Bytes buffered per table and sent as one COPY; bounds memory whatever the feed's size. */
const BATCH_BYTES = 1 << 20;

/** A table's pending COPY data: lines encoded into bytes as they come. */
interface Pending {
  bytes: Buffer;
  length: number;
}

/**
 * Buffers staging rows per table and flushes each buffer with one COPY when it grows past
 * BATCH_BYTES. One connection runs one COPY at a time, and a feed interleaves record kinds, so
 * batching per table is what lets every kind stream through the same transaction. Lines are
 * encoded into a byte buffer at once: a line string then dies young instead of surviving, with
 * a million others, until its batch is joined, which is most of what the garbage collector would
 * otherwise spend its time on.
 */
export class StagingWriter {
  private readonly pending = new Map<StagingTable, Pending>();
  /** The COPY in flight: the next batch is parsed while it runs, and waits for it before its own. */
  private inFlight: Promise<void> | null = null;
  /** Tables whose buffer has reached BATCH_BYTES since the last flushFull. */
  private readonly full = new Set<StagingTable>();
  readonly rows: Record<StagingTable, number> = {
    stg_teams: 0,
    stg_players: 0,
    stg_fixtures: 0,
    stg_stats: 0,
  };

  constructor(private readonly client: PoolClient) {}

  /** Buffers a row; callers await flushFull() between batches of rows (that is the back-pressure). */
  add(table: StagingTable, values: readonly CopyValue[]): void {
    const line = copyLine([this.rows[table]++, ...values]);
    let pending = this.pending.get(table);
    // A UTF-16 code unit is at most three bytes of UTF-8: room for that many always fits the line.
    const room = line.length * 3;
    if (!pending || pending.bytes.length - pending.length < room) {
      const length = pending?.length ?? 0;
      // Room for a batch and the rows of a chunk that complete it; a huge line grows it instead.
      const bytes = Buffer.allocUnsafe(Math.max(BATCH_BYTES + BATCH_BYTES / 4, 2 * (length + room)));
      pending?.bytes.copy(bytes, 0, 0, length);
      pending = { bytes, length };
      this.pending.set(table, pending);
    }
    pending.length += pending.bytes.write(line, pending.length);
    if (pending.length >= BATCH_BYTES) this.full.add(table);
  }

  /** Sends every buffer that has reached BATCH_BYTES. */
  async flushFull(): Promise<void> {
    for (const table of this.full) await this.flush(table);
    this.full.clear();
  }

  async flushAll(): Promise<void> {
    for (const table of this.pending.keys()) await this.flush(table);
    await this.inFlight;
    this.inFlight = null;
  }

  private async flush(table: StagingTable): Promise<void> {
    const pending = this.pending.get(table);
    if (!pending || pending.length === 0) return;
    // The buffer goes to the COPY as it is; the next rows start a new one.
    this.pending.delete(table);
    const data = pending.bytes.subarray(0, pending.length);
    // At most one batch waits in memory behind the running COPY.
    await this.inFlight;
    const copy = copyInto(this.client, table, data);
    // A failure surfaces at the next flush; until then it must not count as unhandled.
    copy.catch(() => undefined);
    this.inFlight = copy;
  }
}

async function copyInto(client: PoolClient, table: StagingTable, data: Buffer): Promise<void> {
  const stream = client.query(copyFrom(`copy ${table} from stdin`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(data);
  });
}
