import { beforeAll, describe, expect, it } from 'vitest';

import { repairConstraints } from '../../../src/services/constraints/repair.ts';
import { validateConstraints } from '../../../src/services/constraints/validate.ts';
import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { addClubSpelling, seedSafetyData, userRowCounts } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

beforeAll(async () => {
  await seedSafetyData(db.pool, { clubs: 2, series: 1 });
  await addClubSpelling(db.pool);
});

describe('repairConstraints across club spellings', () => {
  it('merges the clubs, then the teams and players that became duplicates, keeping every key', async () => {
    const counts = await userRowCounts(db.pool);
    const [{ n: teams }] = await db.query<{ n: number }>(`select count(*)::int as n from teams`);
    const result = await repairConstraints(ds.current);
    expect(result.actions.map((a) => [a.kind, a.table, a.rows])).toEqual([
      ['MERGE_DUPLICATES', 'clubs', 1],
      ['MERGE_DUPLICATES', 'teams', 2],
      ['MERGE_DUPLICATES', 'players', 2],
      ['ADD_CONSTRAINT', 'teams', 0],
      ['ADD_CONSTRAINT', 'players', 0],
    ]);
    expect(result.actions[0]!.detail).toContain(
      'lifted unique_player_league_club_series, unique_team_club_series_league (added back',
    );
    expect(await userRowCounts(db.pool)).toEqual(counts);
    expect(await db.query(`select count(*)::int as n from teams`)).toEqual([{ n: teams - 2 }]);
    expect(await validateConstraints(ds.current.manager)).toEqual([]);
    expect((await scanOrphans(ds.current.manager)).total).toBe(0);
    const polls = await db.query<{ club: string }>(
      `select c.name as club from polls q join teams t on t.id = q.team_id join clubs c on c.id = t.club_id
        where q.question = 'shouted club'`,
    );
    expect(polls).toEqual([{ club: 'Club 2' }, { club: 'Club 2' }]);
    expect(await repairConstraints(ds.current)).toEqual({ actions: [], dryRun: false });
  });
});
