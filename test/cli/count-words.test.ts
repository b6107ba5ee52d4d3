import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { printHealth } from '../../src/cli/commands/health.ts';
import { printRunSummary } from '../../src/cli/commands/import.ts';
import { printReport } from '../../src/cli/commands/repair.ts';
import { printRestore } from '../../src/cli/commands/snapshots.ts';
import type { HealthReport } from '../../src/services/health/report.ts';
import type { RepairReport } from '../../src/services/orphans/repair.ts';
import type { PipelineRun } from '../../src/services/pipeline/runs.ts';
import type { RestoreResult } from '../../src/services/snapshots/restore.ts';

// Every count the CLI prints says what it counts and where to see them.
let printed = '';
beforeEach(() => {
  printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const POLL_LINE =
  'poll 11 of team Alpha - 22 (LEAGUE_A): no team with that club and series now; kept and flagged';

describe('counts in words', () => {
  it('repair: open events, repaired and quarantined, then each row in words', () => {
    const report: RepairReport = {
      dryRun: false,
      examined: 2,
      detected: 0,
      repaired: [
        {
          repairId: 1,
          eventId: 1,
          reference: 'polls.team_id',
          table: 'polls',
          column: 'team_id',
          rowId: 10,
          oldValue: '7',
          newValue: '45',
          strategy: 'natural_key',
          reinserted: 0,
          description:
            'poll 10 of team Alpha - 22 (LEAGUE_A): re-pointed to team Alpha - 22 (LEAGUE_A), id 45',
        },
      ],
      quarantined: [
        {
          eventId: 2,
          reference: 'polls.team_id',
          table: 'polls',
          column: 'team_id',
          rowId: 11,
          missingRef: '8',
          reason: 'NO_MATCH',
          description: POLL_LINE,
        },
      ],
    };
    printReport(report, false);
    expect(printed).toContain(
      '2 open orphan event(s) (user rows pointing at nothing, not yet resolved): repaired 1 (re-pointed on a ' +
        'unique match; audited in the repairs query, undoRepair undoes one), quarantined 1 (no unique match: ' +
        'kept and flagged, never deleted; listed by the quarantine query). Each one:',
    );
    expect(printed).toContain(`\n  ${POLL_LINE}\n`);
    expect(printed).toContain('\n  poll 10 of team Alpha - 22 (LEAGUE_A): re-pointed to team Alpha - 22');
    expect(printed).not.toMatch(/row \d+: \d+ \(NO_MATCH\)/);

    printed = '';
    printReport({ ...report, dryRun: true, detected: 3 }, true);
    expect(printed).toMatch(/^full scan: 3 orphan\(s\) without an event \(user rows pointing at nothing/);
    expect(printed).toContain('would repair 1 (');
    expect(printed).toContain('would quarantine 1 (');
  });

  it('health: orphans per type and issues per check, with what shows them', () => {
    const report: HealthReport = {
      score: 88,
      status: 'DEGRADED',
      checkedAt: new Date('2025-07-01T00:00:00Z'),
      types: [{ name: 'polls', rows: 5000, orphans: 12 }],
      checks: [{ check: 'ORPHANS', issues: 1, rows: 12, penalty: 12 }],
      issues: [
        {
          check: 'ORPHANS',
          severity: 'WARNING',
          table: 'polls',
          subject: 'polls.team_id',
          message: '12 polls rows reference a missing teams.id',
          rows: 12,
          fix: 'repairOrphans (bpetl repair --emergency) re-points them',
        },
      ],
    };
    printHealth(report);
    expect(printed).toContain(
      'per protected type: its user rows, and orphans (rows pointing at nothing; bpetl repair --dry-run shows what would fix them)',
    );
    expect(printed).toContain('check ORPHANS: 1 issue(s) (listed below), 12 row(s) affected, -12 point(s)');
    expect(printed).toContain('WARNING  12 polls rows reference a missing teams.id');
    expect(printed).toContain('fix: repairOrphans (bpetl repair --emergency) re-points them');
  });

  it('restore: checked, re-pointed, unchanged and unmatched, then the rows', () => {
    const result: RestoreResult = {
      snapshotId: 3,
      dryRun: true,
      checked: 40,
      remapped: 1,
      unchanged: 37,
      unmatched: 2,
      byReference: [{ reference: 'polls.team_id', remapped: 1, unmatched: 2 }],
      rows: [{ reference: 'polls.team_id', rowId: '11', outcome: 'UNMATCHED', description: POLL_LINE }],
    };
    printRestore(result);
    expect(printed).toContain(
      'dry run: would restore from snapshot 3: 40 checked (its user rows that still exist), 1 would be ' +
        're-pointed (their target changed: matched again by natural key), 37 unchanged, 2 unmatched (their ' +
        'target changed with no unique match: left as they are). The first 1 below (unmatched first), all with --json.',
    );
    expect(printed).toContain(`\n  ${POLL_LINE}\n`);
  });

  it('import: unmatched rows, rejected records, constraint repairs and orphans', () => {
    const run = {
      id: '9',
      status: 'SUCCEEDED',
      dryRun: false,
      stats: {
        repair: { actions: [{ kind: 'ADD_CONSTRAINT', table: 'teams', detail: 'added unique_x', rows: 0 }] },
        snapshot: { id: 4, rows: 50 },
        import: {
          scope: ['LEAGUE_A'],
          records: { read: 10 },
          rejected: 1,
          rejections: [{ file: 'players.json', index: 3, field: 'team', reason: 'no such team' }],
          tables: {},
        },
        restore: {
          remapped: 0,
          unmatched: 12,
          rows: [{ reference: 'polls.team_id', rowId: '11', outcome: 'UNMATCHED', description: POLL_LINE }],
        },
        orphans: { before: 0, after: 0 },
      },
    } as unknown as PipelineRun;
    printRunSummary(run);
    expect(printed).toContain(
      'constraints: 1 repair action(s) before the import (duplicates merged, keys added; each below, and the ' +
        'schema changes in bpetl protection changes)\n  added unique_x\n',
    );
    expect(printed).toContain(
      '10 records read, 1 rejected (records refused for an unreadable or unmatched identifying field; each below, all in bpetl import --json)',
    );
    expect(printed).toContain(
      'user data: 0 re-pointed, 12 left unmatched (user rows whose target changed with no unique match: left ' +
        'as they are; the first 1 below, all in bpetl snapshots restore 4 --dry-run --json)',
    );
    expect(printed).toContain(`\n  ${POLL_LINE}\n`);
    expect(printed).toContain(
      'orphans: 0 before, 0 after (user rows pointing at nothing; bpetl health counts them, bpetl repair --dry-run shows what would fix them)',
    );
  });
});
