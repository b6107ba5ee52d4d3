import { beforeAll, describe, expect, it } from 'vitest';

import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

beforeAll(async () => {
  await seedSafetyData(db.pool, { clubs: 2, series: 1 });
});

describe('scanOrphans', () => {
  it('counts rows and dangling references of every spec entry', async () => {
    const clean = await scanOrphans(ds.current.manager);
    expect(clean.total).toBe(0);
    expect(clean.byReference).toHaveLength(9);
    expect(clean.byReference.find((r) => r.reference === 'polls.team_id')).toEqual({
      reference: 'polls.team_id',
      dataType: 'polls',
      rows: 4,
      orphans: 0,
    });

    const client = await db.pool.connect();
    try {
      await client.query('set session_replication_role = replica');
      await client.query(`update polls set team_id = 999999 where id = 1`);
      await client.query(`update user_player_associations set tenniscores_player_id = 'nobody' where id = 1`);
      // A fixture row (away_team set) is reference data, not a practice: never counted.
      await client.query(
        `insert into schedule (match_date, home_team, away_team, home_team_id) values ('2025-07-02', 'A', 'B', 999999)`,
      );
    } finally {
      await client.query('reset session_replication_role');
      client.release();
    }
    const dirty = await scanOrphans(ds.current.manager);
    expect(dirty.total).toBe(2);
    const orphans = Object.fromEntries(dirty.byReference.map((r) => [r.reference, r.orphans]));
    expect(orphans['polls.team_id']).toBe(1);
    expect(orphans['user_player_associations.tenniscores_player_id']).toBe(1);
    expect(orphans['schedule.home_team_id']).toBe(0);
    expect(dirty.byReference.find((r) => r.reference === 'schedule.home_team_id')!.rows).toBe(4);
  });
});
