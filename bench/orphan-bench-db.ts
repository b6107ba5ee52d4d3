import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { migrate } from '../src/app/migrate.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { withDatabase } from '../src/db/url.ts';

/**
 * A fresh, migrated database for one benchmark: on DATABASE_URL's server when set, else on a
 * throwaway embedded cluster. Dropped afterwards.
 */
export async function withBenchDatabase<T>(fn: (url: string, pool: pg.Pool) => Promise<T>): Promise<T> {
  const embedded = process.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres(await mkdtemp(path.join(os.tmpdir(), 'bpetl-bench-')), {
        persistent: false,
      });
  const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
  const name = `bpetl_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  try {
    await migrate(url);
    return await fn(url, pool);
  } finally {
    await pool.end();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await embedded?.stop();
  }
}

/** One league and club, `count` series and a team in each; returns the team ids. */
export async function seedBenchTeams(pool: pg.Pool, count: number): Promise<number[]> {
  await pool.query(`insert into leagues (league_id) values ('BENCH')`);
  await pool.query(`insert into clubs (name) values ('Bench Club')`);
  await pool.query(
    `insert into series (name, league_id) select 'Series ' || g, (select id from leagues) from generate_series(1, $1) g`,
    [count],
  );
  const { rows } = await pool.query<{ id: number }>(
    `insert into teams (club_id, series_id, league_id, team_name)
     select (select id from clubs), s.id, s.league_id, 'Bench Club ' || s.name from series s returning id`,
  );
  return rows.map((r) => r.id);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
