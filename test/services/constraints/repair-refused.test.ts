import { beforeAll, describe, expect, it } from 'vitest';

import { repairConstraints } from '../../../src/services/constraints/repair.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { addClubSpelling, seedSafetyData, tableChecksum } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

beforeAll(async () => {
  await seedSafetyData(db.pool, { clubs: 2, series: 1 });
  await addClubSpelling(db.pool);
  // One response per player: merging the duplicate players would break it, so they cannot merge.
  await db.query(`create unique index one_response_per_player on poll_responses (player_id)`);
});

describe('repairConstraints when a lifted key cannot come back', () => {
  it('fails, and leaves every table and constraint as it was', async () => {
    const tables = ['clubs', 'teams', 'players', 'polls', 'poll_responses'];
    const before = await Promise.all(tables.map((t) => tableChecksum(db.pool, t)));
    const constraints = await db.query(`select conname from pg_constraint order by 1`);
    await expect(repairConstraints(ds.current)).rejects.toMatchObject({
      code: 'INTERNAL',
      details: { keys: ['unique_player_league_club_series'] },
    });
    expect(await Promise.all(tables.map((t) => tableChecksum(db.pool, t)))).toEqual(before);
    expect(await db.query(`select conname from pg_constraint order by 1`)).toEqual(constraints);
    expect(await db.query(`select * from bpetl.constraint_repairs`)).toEqual([]);
  });
});
