import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataSource } from '../../../src/db/data-source.ts';
import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { insertRows } from '../../../src/services/import/bulk-insert.ts';
import { type ImportStats, importTeams } from '../../../src/services/import/import-teams.ts';
import { type TestDatabase, useTestDatabase } from '../../helpers/database.ts';

const bulkDb = useTestDatabase();
const checkedDb = useTestDatabase();
let feed: string;
let workDir: string;
const sources: DataSource[] = [];
let firstImport: ImportStats | undefined;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-bulk-'));
  feed = path.join(workDir, 'feed');
  await writeLeagueFeed(feed, { seed: 'bulk-insert', teams: 300 });
});
afterAll(async () => {
  await Promise.all(sources.map((source) => source.destroy()));
  await rm(workDir, { recursive: true, force: true });
});

async function open(db: TestDatabase): Promise<DataSource> {
  const source = await openDataSource(db.url, { poolSize: 3 });
  sources.push(source);
  return source;
}

/** Every foreign key and index of the schema as the catalog defines them. */
async function schemaObjects(db: TestDatabase): Promise<string[]> {
  const rows = await db.query<{ key: string }>(
    `select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated as key
       from pg_constraint where contype in ('f', 'u', 'p')
     union all
     select indexdef from pg_indexes where schemaname = 'public'
     order by 1`,
  );
  return rows.map((r) => r.key);
}

/** Runs `fn` in a transaction on a connection of its own, ended by `end`. */
async function withTransaction<T>(
  db: TestDatabase,
  end: 'commit' | 'rollback',
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('begin');
    const result = await fn(client as unknown as pg.PoolClient);
    await client.query(end);
    return result;
  } finally {
    await client.end();
  }
}

/** Content of the reference tables, ids included, timestamps left out. */
async function checksums(db: TestDatabase): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['teams', 'players', 'schedule', 'series_stats', 'clubs', 'series']) {
    const [row] = await db.query<{ sum: string }>(
      `select md5(coalesce(string_agg((to_jsonb(t) - 'created_at' - 'updated_at')::text, ',' order by t.id), ''))
         as sum from ${table} t`,
    );
    out[table] = row!.sum;
  }
  return out;
}

describe('bulk loading of new rows', () => {
  it('loads what the row-by-row path loads and puts every foreign key back as it was', async () => {
    const keysBefore = await schemaObjects(bulkDb);
    const bulk = await importTeams(await open(bulkDb), { path: feed, bulkMinRows: 1 });
    firstImport = bulk;
    const checked = await importTeams(await open(checkedDb), { path: feed });

    expect(bulk.bulkLoaded).toEqual(expect.arrayContaining(['teams', 'players', 'schedule']));
    expect(checked.bulkLoaded).toEqual([]);
    expect(bulk.tables).toEqual(checked.tables);
    expect(await checksums(bulkDb)).toEqual(await checksums(checkedDb));
    expect(await schemaObjects(bulkDb)).toEqual(keysBefore);
  });

  it('is not used for a refresh that adds few rows to a loaded table', async () => {
    const stats = await importTeams(sources[0]!, { path: feed, bulkMinRows: 1 });
    expect(stats.bulkLoaded).toEqual([]);
    expect(stats.tables.players.inserted).toBe(0);
  });

  it('checks row by row, without waiting, when another session is using the tables', async () => {
    const db = checkedDb;
    await db.query('truncate teams, players, schedule, series_stats cascade');
    const stats = await withTransaction(db, 'rollback', async (reader) => {
      // Every bulk-loaded table references teams or is teams.
      await reader.query('select count(*) from teams');
      return importTeams(sources[1]!, { path: feed, bulkMinRows: 1 });
    });
    expect(stats.bulkLoaded).toEqual([]);
    expect(stats.tables.teams).toEqual(firstImport!.tables.teams);
    expect(stats.tables.players).toEqual(firstImport!.tables.players);
  });

  it('leaves every foreign key and row as it was when the import fails after a bulk load', async () => {
    const db = checkedDb;
    await db.query('truncate teams, players, schedule, series_stats cascade');
    const keysBefore = await schemaObjects(db);
    const sumsBefore = await checksums(db);
    let cancelAfterPlayers = false;
    await expect(
      importTeams(sources[1]!, {
        path: feed,
        bulkMinRows: 1,
        onProgress: ({ message }) => {
          if (message === 'schedule fixtures') cancelAfterPlayers = true;
        },
        checkCancelled: () => {
          if (cancelAfterPlayers) throw new Error('cancelled in the test');
        },
      }),
    ).rejects.toThrow('cancelled in the test');
    expect(await schemaObjects(db)).toEqual(keysBefore);
    expect(await checksums(db)).toEqual(sumsBefore);
  });

  it('fails, keeping the keys, when a new row breaks a foreign key', async () => {
    const failure = await withTransaction(checkedDb, 'rollback', async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `insert into clubs (name) values ('Bulk Test Club') returning id`,
      );
      return insertRows(
        client,
        'players',
        `insert into players (tenniscores_player_id, league_id, club_id, series_id)
         values ('bulk-1', 999999, ${rows[0]!.id}, 999999)`,
        { bulk: true, empty: false },
      ).catch((err: unknown) => err);
    });
    expect(failure).toMatchObject({ code: '23503' });
    expect(await schemaObjects(checkedDb)).toEqual(await schemaObjects(bulkDb));
  });

  it('fails, keeping every index, when new rows break a unique key', async () => {
    const db = checkedDb;
    await db.query('truncate teams, players, schedule, series_stats cascade');
    const failure = await withTransaction(db, 'rollback', (client) =>
      insertRows(
        client,
        'players',
        `insert into players (tenniscores_player_id, league_id, club_id, series_id)
         select 'twice', l.id, c.id, s.id from (select min(id) id from leagues) l, (select min(id) id from clubs) c,
                (select min(id) id from series) s, generate_series(1, 2)`,
        { bulk: true, empty: true },
      ).catch((err: unknown) => err),
    );
    // The bulk path cannot add the key back, so the rows go in the ordinary way, whose INSERT
    // reports the row at fault.
    expect(failure).toMatchObject({
      code: '23505',
      message: expect.stringContaining('duplicate key value violates unique constraint'),
    });
    expect(await schemaObjects(db)).toEqual(await schemaObjects(bulkDb));
  });

  it('inserts row by row, and succeeds, when rows already in the table break a foreign key', async () => {
    const db = checkedDb;
    await db.query('truncate teams, players, schedule, series_stats cascade');
    await importTeams(sources[1]!, { path: feed });
    // A player whose team was deleted behind the foreign key's back (replica role skips the check).
    await withTransaction(db, 'commit', async (client) => {
      await client.query('set local session_replication_role = replica');
      await client.query(
        `delete from teams where id = (select team_id from players where team_id is not null limit 1)`,
      );
    });
    const keysBefore = await schemaObjects(db);
    const more = path.join(workDir, 'more');
    await writeLeagueFeed(more, { seed: 'bulk-insert-more', teams: 900 });
    const stats = await importTeams(sources[1]!, { path: more, bulkMinRows: 1, allowShrink: true });
    // Teams break no key and are bulk-loaded; players (and fixtures of the deleted team) fall back.
    expect(stats.bulkLoaded).toContain('teams');
    expect(stats.bulkLoaded).not.toContain('players');
    expect(stats.tables.players.inserted).toBeGreaterThan(0);
    expect(await schemaObjects(db)).toEqual(keysBefore);
  });
});
