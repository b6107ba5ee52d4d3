import { describe, expect, it } from 'vitest';

import { checkHealth } from '../../../src/services/health/report.ts';
import { useTestApp } from '../../helpers/app.ts';
import { seedPolls, seedTeams } from '../orphans/helpers.ts';

const t = useTestApp();

describe('health score and the share of orphaned rows', () => {
  it('gives the same data two scores with 12 and with 66 orphaned polls, the lower for 66', async () => {
    const polls = await seedPolls(t.db.query, await seedTeams(t.db.query, 'share', 300));
    // Without the foreign key, polls can point at teams that do not exist (as on a database
    // refreshed by delete and re-insert); the missing key costs its own 5 points.
    await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
    const orphan = (n: number) =>
      t.db.query(`update polls set team_id = -id where id = any($1::int[])`, [polls.slice(0, n)]);

    await orphan(12);
    const twelve = await checkHealth(t.app.db.manager);
    await orphan(66);
    const sixtySix = await checkHealth(t.app.db.manager);

    const polled = (r: typeof twelve) => r.types.find((x) => x.name === 'polls');
    expect(polled(twelve)).toEqual({ name: 'polls', rows: 300, orphans: 12 });
    expect(polled(sixtySix)).toEqual({ name: 'polls', rows: 300, orphans: 66 });
    // Polls are the only user rows. 12 of 300: √0.04 = 0.2, 10 + 40 × 0.2 = 18 points;
    // with the foreign key's 5, 100 - 23 = 77.
    expect(twelve.checks.find((c) => c.check === 'ORPHANS')?.penalty).toBe(18);
    expect(twelve.score).toBe(77);
    // 66 of 300: √0.22 = 0.469, 10 + 40 × 0.469 = 28.76, 29 points; 100 - 34 = 66.
    expect(sixtySix.checks.find((c) => c.check === 'ORPHANS')?.penalty).toBe(29);
    expect(sixtySix.score).toBe(66);
    expect(sixtySix.score).toBeLessThan(twelve.score);
    for (const report of [twelve, sixtySix]) {
      expect(report.status).toBe('DEGRADED');
      expect(new Set(report.issues.map((i) => i.severity))).toEqual(new Set(['WARNING']));
    }
  });
});
