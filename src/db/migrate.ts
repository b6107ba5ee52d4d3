import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { inspectDatabase } from './adopt.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface Migration {
  id: number;
  name: string;
  up: string;
  down: string;
  /**
   * Creates the platform's own tables (a `-- bpetl: application tables` first line). On an adopted
   * database the tables exist already: the migration is recorded as adopted, never run, never reverted.
   */
  applicationTables: boolean;
}

/** A step run after the migrations, on the migrator's connection, given its statements' runner. */
export type AfterMigrate = (db: {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}) => Promise<unknown>;

const APPLICATION_TABLES = '-- bpetl: application tables';

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
    const up = readFileSync(path.join(dir, file), 'utf8');
    if (!files.includes(downFile)) throw new Error(`Migration ${file} has no ${downFile}`);
    migrations.push({
      id: Number(match[1]),
      name: match[2]!,
      up,
      down: readFileSync(path.join(dir, downFile), 'utf8'),
      applicationTables: up.startsWith(APPLICATION_TABLES),
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
    return await fn(client);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

async function createMigrationsTable(client: pg.Client): Promise<void> {
  await client.query(`create schema if not exists bpetl`);
  await client.query(
    `create table if not exists bpetl.migrations (
       id integer primary key,
       name text not null,
       applied_at timestamptz not null default now()
     )`,
  );
  // True when the migration's tables were the platform's own (adopted), not created by it.
  await client.query(
    `alter table bpetl.migrations add column if not exists adopted boolean not null default false`,
  );
}

/** Applied migrations, each with whether it was adopted rather than run. */
async function applied(client: pg.Client): Promise<Map<number, boolean>> {
  const { rows: exists } = await client.query(`select to_regclass('bpetl.migrations') is not null as e`);
  if (!(exists[0] as { e: boolean }).e) return new Map();
  const { rows } = await client.query<{ id: number; adopted: boolean }>(
    `select id, adopted from bpetl.migrations`,
  );
  return new Map(rows.map((r) => [r.id, r.adopted]));
}

/**
 * Refuses a database that is neither empty nor of the platform's shape, before anything is
 * created; returns whether the platform's own tables are being adopted.
 */
async function checkFit(client: pg.Client): Promise<boolean> {
  const inspection = await inspectDatabase(client);
  if (inspection.state === 'MISFIT') {
    throw new AppError(
      'SCHEMA_MISFIT',
      `The database is neither empty nor of the platform's shape; nothing was changed:\n  ${inspection.misfits.join('\n  ')}`,
      { misfits: inspection.misfits },
    );
  }
  return inspection.state === 'PLATFORM';
}

/**
 * Applies every pending migration, each in its own transaction, then `afterMigrate` in a transaction
 * of its own, still under the migration lock. Returns the ids applied.
 */
export async function migrateUp(
  url: string,
  afterMigrate?: AfterMigrate,
  migrations = loadMigrations(),
): Promise<number[]> {
  return withMigrationLock(url, async (client) => {
    const adopting = await checkFit(client);
    await createMigrationsTable(client);
    const done = await applied(client);
    const ran: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      if (adopting && migration.applicationTables) {
        await client.query('insert into bpetl.migrations (id, name, adopted) values ($1, $2, true)', [
          migration.id,
          migration.name,
        ]);
        ran.push(migration.id);
        continue;
      }
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
    if (afterMigrate) await runAfterMigrate(client, afterMigrate);
    return ran;
  });
}

async function runAfterMigrate(client: pg.Client, step: AfterMigrate): Promise<void> {
  await client.query('begin');
  try {
    await step({ query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows });
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

/** Reverts applied migrations down to (not including) `target`; 0 reverts them all. */
export async function migrateDown(url: string, target = 0, migrations = loadMigrations()): Promise<number[]> {
  return withMigrationLock(url, async (client) => {
    const done = await applied(client);
    const reverted: number[] = [];
    for (const migration of [...migrations].reverse()) {
      if (migration.id <= target || !done.has(migration.id)) continue;
      if (done.get(migration.id)) {
        // Adopted: the tables are the platform's, and stay.
        await client.query('delete from bpetl.migrations where id = $1', [migration.id]);
        reverted.push(migration.id);
        continue;
      }
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
    if (target === 0 && done.size > 0) {
      // Nothing of the tool is left: the schema goes too (RESTRICT: never anything of someone else's).
      await client.query('drop table bpetl.migrations');
      await client.query('drop schema bpetl');
    }
    return reverted;
  });
}
