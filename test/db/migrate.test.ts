import { describe, expect, it } from 'vitest';

import { migrate } from '../../src/app/migrate.ts';
import { loadMigrations, migrateDown } from '../../src/db/migrate.ts';
import { useTestDatabase } from '../helpers/database.ts';

const db = useTestDatabase();

async function schemaFingerprint(): Promise<string[]> {
  const rows = await db.query<{ item: string }>(`
    select format('%s.%s.%s %s %s', table_schema, table_name, column_name, data_type, is_nullable) as item
      from information_schema.columns where table_schema in ('public', 'bpetl')
    union all
    select format('%s %s', conrelid::regclass, conname) from pg_constraint
     where connamespace in ('public'::regnamespace, 'bpetl'::regnamespace)
    union all
    select format('trigger %s.%s', tgrelid::regclass, tgname) from pg_trigger where not tgisinternal
    order by 1`);
  return rows.map((r) => r.item);
}

describe('migrations', () => {
  it('run up, all the way down, and up again to the same schema', async () => {
    const migrated = await schemaFingerprint();
    expect(migrated.some((i) => i.includes('unique_team_club_series_league'))).toBe(true);

    const reverted = await migrateDown(db.url);
    expect(reverted).toEqual(
      loadMigrations()
        .map((m) => m.id)
        .reverse(),
    );
    const empty = await db.query(
      `select table_name from information_schema.tables
        where table_schema in ('public', 'bpetl') and table_name <> 'migrations'`,
    );
    expect(empty).toEqual([]);

    await migrate(db.url);
    expect(await schemaFingerprint()).toEqual(migrated);
  });

  it('is a no-op when everything is applied', async () => {
    expect(await migrate(db.url)).toEqual([]);
  });

  it('serialises concurrent migrators instead of failing', async () => {
    const results = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect(results).toEqual([[], []]);
  });

  it('never drops an application table that holds rows', async () => {
    await db.query(`insert into leagues (league_id, league_name) values ('NSTF', 'North Shore')`);
    await expect(migrateDown(db.url)).rejects.toThrow(/table leagues holds rows; reverting would drop them/);
    expect(await db.query(`select league_id from leagues`)).toEqual([{ league_id: 'NSTF' }]);
    await migrate(db.url);
    await db.query(`delete from leagues`);
  });
});
