import { beforeAll, describe, expect, it } from 'vitest';

import { useTestApp } from '../../helpers/app.ts';
import { seedSafetyData, tableChecksum } from '../../helpers/seed-safety.ts';

const t = useTestApp();

beforeAll(async () => {
  await seedSafetyData(t.db.pool, { clubs: 2, series: 1 });
});

interface SnapshotFields {
  id: string;
  createdAt: string;
  note: string | null;
  runId: string | null;
  rows: number;
  byType: Array<{ dataType: string; rows: number }>;
}

const SNAPSHOT_FIELDS = 'id createdAt note runId rows byType { dataType rows }';

describe('GraphQL: snapshots, restore, constraint repair', () => {
  it('createSnapshot returns the snapshot, and snapshots lists it', async () => {
    const created = await t.graphql<{ createSnapshot: SnapshotFields }>(
      `mutation { createSnapshot(note: "from api") { __typename ... on Snapshot { ${SNAPSHOT_FIELDS} } } }`,
    );
    expect(created.errors).toBeUndefined();
    const snapshot = created.data!.createSnapshot;
    expect(snapshot).toMatchObject({ note: 'from api', runId: null, rows: 4 * 8 });
    expect(snapshot.byType).toContainEqual({ dataType: 'polls', rows: 4 });
    const listed = await t.graphql<{ snapshots: SnapshotFields[] }>(`{ snapshots { ${SNAPSHOT_FIELDS} } }`);
    const { __typename, ...fields } = snapshot as SnapshotFields & { __typename: string };
    expect(__typename).toBe('Snapshot');
    expect(listed.data!.snapshots[0]).toEqual(fields);
  });

  it('restoreUserData plans a dry run, and reports an unknown snapshot as NOT_FOUND', async () => {
    const listed = await t.graphql<{ snapshots: Array<{ id: string }> }>(`{ snapshots { id } }`);
    const id = listed.data!.snapshots[0]!.id;
    const sum = await tableChecksum(t.db.pool, 'polls');
    const dry = await t.graphql<{ restoreUserData: Record<string, unknown> }>(
      `mutation($id: ID!) { restoreUserData(snapshotId: $id, dryRun: true) {
         ... on RestoreResult { snapshotId dryRun checked remapped unchanged unmatched byReference { reference remapped unmatched } }
         ... on Error { message code } } }`,
      { id },
    );
    expect(dry.data!.restoreUserData).toMatchObject({
      snapshotId: id,
      dryRun: true,
      remapped: 0,
      unmatched: 0,
    });
    expect(await tableChecksum(t.db.pool, 'polls')).toBe(sum);
    const missing = await t.graphql<{ restoreUserData: Record<string, unknown> }>(
      `mutation { restoreUserData(snapshotId: "99999") { ... on Error { message code } } }`,
    );
    expect(missing.data!.restoreUserData).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await t.graphql<{ restoreUserData: Record<string, unknown> }>(
      `mutation { restoreUserData(snapshotId: "abc") { ... on Error { message code } } }`,
    );
    expect(bad.data!.restoreUserData).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('repairConstraints reports nothing to do on a sound database', async () => {
    const result = await t.graphql<{ repairConstraints: unknown }>(
      `mutation { repairConstraints(dryRun: true) { ... on ConstraintRepairResult { dryRun actions { kind table detail rows } } } }`,
    );
    expect(result.data!.repairConstraints).toEqual({ dryRun: true, actions: [] });
  });
});
