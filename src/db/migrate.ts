import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

import { logger } from '../logger.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface Migration {
  id: number;
  name: string;
  up: string;
  down: string;
}

/** Key of the session advisory lock that serialises migrators across processes. */
const MIGRATION_LOCK = 0x6270_6d67; // 'bpmg'

/** Migrations are `NNNN_name.up.sql` with a matching `NNNN_name.down.sql`, applied in id order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir);
  const migrations: Migration[] = [];
  for (const file of files.filter((f) => f.endsWith('.up.sql')).sort()) {
    const match = /^(\d{4})_([a-z0-9_]+)\.up\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file ${file} is not named NNNN_name.up.sql`);
    const downFile = file.replace(/\.up\.sql$/, '.down.sql');
    if (!files.includes(downFile)) throw new Error(`Migration ${file} has no ${downFile}`);
    migrations.push({
      id: Number(match[1]),
      name: match[2]!,
      up: readFileSync(path.join(dir, file), 'utf8'),
      down: readFileSync(path.join(dir, downFile), 'utf8'),
    });
  }
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error('Two migrations share an id');
  return migrations;
}

async function withMigrationLock<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`create schema if not exists bpetl`);
    await client.query(
      `create table if not exists bpetl.migrations (
         id integer primary key,
         name text not null,
         applied_at timestamptz not null default now()
       )`,
    );
    return await fn(client);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

async function applied(client: pg.Client): Promise<Set<number>> {
  const { rows } = await client.query<{ id: number }>('select id from bpetl.migrations');
  return new Set(rows.map((r) => r.id));
}

/** Applies every pending migration, each in its own transaction. Returns the ids applied. */
export async function migrateUp(url: string, migrations = loadMigrations()): Promise<number[]> {
  return withMigrationLock(url, async (client) => {
    const done = await applied(client);
    const ran: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await client.query('begin');
      try {
        await client.query(migration.up);
        await client.query('insert into bpetl.migrations (id, name) values ($1, $2)', [
          migration.id,
          migration.name,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`Migration ${migration.id}_${migration.name} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      logger.debug({ migration: migration.name }, 'migration applied');
      ran.push(migration.id);
    }
    return ran;
  });
}

/** Reverts applied migrations down to (not including) `target`; 0 reverts them all. */
export async function migrateDown(url: string, target = 0, migrations = loadMigrations()): Promise<number[]> {
  return withMigrationLock(url, async (client) => {
    const done = await applied(client);
    const reverted: number[] = [];
    for (const migration of [...migrations].reverse()) {
      if (migration.id <= target || !done.has(migration.id)) continue;
      await client.query('begin');
      try {
        await client.query(migration.down);
        await client.query('delete from bpetl.migrations where id = $1', [migration.id]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(
          `Reverting migration ${migration.id}_${migration.name} failed: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      reverted.push(migration.id);
    }
    return reverted;
  });
}
