import { describe, expect, it } from 'vitest';

import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();

describe('retention through GraphQL', () => {
  it('shows the policy (on its own and in protection), changes it, refuses bad values, prunes on demand', async () => {
    const shown = await t.graphql<{
      retention: Record<string, number>;
      protection: { retention: Record<string, number> };
    }>(
      `{ retention { orphanEventsDays pipelineEventsDays keepRuns repairsDays logFindingsDays logAlertsDays }
         protection { retention { keepRuns } } }`,
    );
    expect(shown.errors).toBeUndefined();
    expect(shown.data!.retention).toEqual({
      orphanEventsDays: 30,
      pipelineEventsDays: 30,
      keepRuns: 50,
      repairsDays: 90,
      logFindingsDays: 30,
      logAlertsDays: 30,
    });
    expect(shown.data!.protection.retention.keepRuns).toBe(50);

    const changed = await t.graphql<{ setRetention: Record<string, unknown> }>(
      `mutation { setRetention(input: { keepRuns: 5 }) {
          __typename ... on RetentionPolicy { keepRuns orphanEventsDays } ... on OperationError { code message } } }`,
    );
    expect(changed.data!.setRetention).toEqual({
      __typename: 'RetentionPolicy',
      keepRuns: 5,
      orphanEventsDays: 30,
    });

    const refused = await t.graphql<{ setRetention: Record<string, unknown> }>(
      `mutation { setRetention(input: { repairsDays: 0 }) {
          __typename ... on OperationError { code message } } }`,
    );
    expect(refused.data!.setRetention).toEqual({
      __typename: 'OperationError',
      code: 'INVALID_INPUT',
      message: 'retention.repairsDays must be a whole number of at least 1, got 0',
    });

    const pruned = await t.graphql<{
      pruneHistory: { skipped: boolean; deleted: Array<{ table: string; rows: number }> };
    }>(`mutation { pruneHistory { __typename ... on PruneResult { skipped deleted { table rows } } } }`);
    expect(pruned.data!.pruneHistory.skipped).toBe(false);
    expect(pruned.data!.pruneHistory.deleted.map((d) => d.table)).toContain('orphanEvents');
  });
});
