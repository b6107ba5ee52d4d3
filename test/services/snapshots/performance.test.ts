import { describe, expect, it } from 'vitest';

import { restoreUserData } from '../../../src/services/snapshots/restore.ts';
import { createSnapshot } from '../../../src/services/snapshots/snapshots.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

// Sanity at scale, no timing assertions: 2,000 teams with 16 user rows of each type per team.
describe('snapshot and restore at scale', () => {
  it(
    'snapshots a few hundred thousand user rows and restores against them',
    { timeout: 300_000 },
    async () => {
      const seedStarted = performance.now();
      await seedSafetyData(db.pool, { clubs: 50, series: 20, perTeam: 16 });
      console.info(`seed: ${Math.round(performance.now() - seedStarted)} ms`);
      const started = performance.now();
      const snapshot = await createSnapshot(ds.current, { note: 'scale' });
      const snapshotMs = performance.now() - started;
      expect(snapshot.rows).toBe(2000 * 16 * 8);
      const restoreStarted = performance.now();
      const restore = await restoreUserData(ds.current, { snapshotId: snapshot.id, dryRun: true });
      const restoreMs = performance.now() - restoreStarted;
      expect(restore).toMatchObject({ remapped: 0, unmatched: 0, checked: 2000 * 16 * 9 });
      console.info(
        `snapshot of ${snapshot.rows} user rows: ${Math.round(snapshotMs)} ms; restore check: ${Math.round(restoreMs)} ms`,
      );
    },
  );
});
