import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStagingTables, StagingWriter } from '../../../src/services/import/staging.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(() => client.end());

type Row = [string, string, string, string, string, string, string | null, string];

/** Stages `rows` as stg_teams rows in a transaction of their own and reads them back in order. */
async function roundTrip(rows: Row[]): Promise<Row[]> {
  await client.query('begin');
  try {
    const pool = client as unknown as pg.PoolClient;
    await createStagingTables(pool);
    const writer = new StagingWriter(pool);
    for (const row of rows) {
      writer.add('stg_teams', [...row.slice(1), true, 'series_stats.json', 0]);
      // As collect() does between batches: full buffers go out while rows keep coming.
      await writer.flushFull();
    }
    await writer.flushAll();
    expect(writer.rows.stg_teams).toBe(rows.length);
    const { rows: back } = await client.query<Record<string, string | null>>(
      `select ord, league, club, series, series_display, team_name, team_alias, team_key
         from stg_teams order by ord`,
    );
    return back.map((r) => [String(r.ord), ...Object.values(r).slice(1)] as Row);
  } finally {
    await client.query('rollback');
  }
}

function row(ord: number, text: string, alias: string | null = null): Row {
  return [String(ord), 'NSTF', `${text} club`, 'Series 1', 'Series 1', text, alias, `key ${ord} ${text}`];
}

describe('StagingWriter', () => {
  it('stages every row exactly, across many COPY batches', async () => {
    // About 5 MB of COPY text: several batches, each sent while the next one fills.
    const rows = Array.from({ length: 40_000 }, (_, i) => row(i, `Team ${i} ${'x'.repeat(i % 97)}`));
    expect(await roundTrip(rows)).toEqual(rows);
  });

  it('keeps multi-byte characters, escapes and NULLs intact where buffers fill and grow', async () => {
    const rows: Row[] = [];
    // Three-byte characters, surrogate pairs and COPY specials, at every offset of a batch's end.
    for (let i = 0; i < 20_000; i++) {
      rows.push(
        row(i, `Ñandú ☃ 𝄞 ${i}\ttab\\slash\nline ${'€'.repeat(i % 13)}`, i % 3 ? null : `alias ${i}`),
      );
    }
    // Single values larger than a whole batch make a buffer grow instead of being cut.
    rows.push(row(rows.length, '€'.repeat(700_000)));
    rows.push(row(rows.length, '𝄞'.repeat(400_000), 'é'.repeat(900_000)));
    rows.push(row(rows.length, 'after the big ones'));
    expect(await roundTrip(rows)).toEqual(rows);
  });
});
