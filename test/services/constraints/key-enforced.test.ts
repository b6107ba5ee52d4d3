import { describe, expect, it } from 'vitest';

import { keyEnforced } from '../../../src/services/constraints/catalog.ts';
import { NATURAL_KEYS } from '../../../src/services/constraints/natural-keys.ts';
import { validateConstraints } from '../../../src/services/constraints/validate.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
const key = (table: string) => NATURAL_KEYS.find((k) => k.table === table)!;
const ds = useDataSource(db);

describe('keyEnforced (validation skips scanning a key the database enforces)', () => {
  it('holds for every natural key of the migrated schema', async () => {
    for (const k of NATURAL_KEYS) {
      expect({ table: k.table, enforced: await keyEnforced(ds.current.manager, k) }).toEqual({
        table: k.table,
        enforced: true,
      });
    }
  });

  it('does not hold without the unique constraint, and the scan then finds duplicates', async () => {
    await db.query('alter table teams drop constraint unique_team_club_series_league');
    expect(await keyEnforced(ds.current.manager, key('teams'))).toBe(false);
    await db.query(`insert into leagues (league_id, league_name) values ('CITA', 'CITA')`);
    await db.query(`insert into clubs (name) values ('Birchwood')`);
    await db.query(`insert into series (name, league_id) select 'Series 1', id from leagues`);
    await db.query(
      `insert into teams (club_id, series_id, league_id, team_name)
       select c.id, s.id, l.id, 'Birchwood 1' from clubs c, series s, leagues l, generate_series(1, 2)`,
    );
    const issues = await validateConstraints(ds.current.manager);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'MISSING_CONSTRAINT', table: 'teams' }),
        expect.objectContaining({ check: 'DUPLICATE_KEY', table: 'teams', rows: 1 }),
      ]),
    );
  });

  it('does not hold when NULLs count as distinct in a key with a nullable column', async () => {
    await db.query('alter table series drop constraint unique_series_league_name');
    await db.query('alter table series add constraint unique_series_league_name unique (league_id, name)');
    expect(await keyEnforced(ds.current.manager, key('series'))).toBe(false);
  });

  it('does not hold when a key column may be NULL', async () => {
    await db.query('alter table players alter column club_id drop not null');
    expect(await keyEnforced(ds.current.manager, key('players'))).toBe(false);
  });
});
