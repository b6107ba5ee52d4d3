import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataSource } from '../../../src/db/data-source.ts';
import { loadRetention, setRetention } from '../../../src/services/retention/policy.ts';
import { pruneHistory } from '../../../src/services/retention/prune.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await openDataSource(db.url, { poolSize: 3 });
});
afterAll(async () => {
  await dataSource?.destroy();
});

const OLD = `now() - interval '400 days'`;
const NEW = `now() - interval '1 day'`;

/** An orphan event, resolved long ago, lately, or still open; returns its id. */
async function event(resolved: string | null, label: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `insert into bpetl.orphan_events (reference, source_table, source_column, row_id, missing_ref,
                                      target_table, target_column, cause, detected_at, resolved_at)
     values ('polls.team_id', 'polls', 'team_id', 1, $1, 'teams', 'id', 'SCAN', ${OLD}, ${resolved ?? 'null'})
     returning id`,
    [label],
  );
  return Number(row!.id);
}

async function repair(eventId: number, at: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `insert into bpetl.repairs (event_id, reference, source_table, source_column, row_id, new_value, strategy, repaired_at)
     values ($1, 'polls.team_id', 'polls', 'team_id', 1, '2', 'context', ${at}) returning id`,
    [eventId],
  );
  return Number(row!.id);
}

async function run(status: string, eventsAt: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `insert into bpetl.pipeline_runs (status, created_at) values ($1, ${eventsAt}) returning id`,
    [status],
  );
  await db.query(
    `insert into bpetl.pipeline_events (run_id, step, status, at)
     select $1, 'import', 'PROGRESS', ${eventsAt} from generate_series(1, 3)`,
    [row!.id],
  );
  return Number(row!.id);
}

const ids = async (sql: string) => (await db.query<{ id: number }>(sql)).map((r) => Number(r.id));

describe('retention of the bpetl history', () => {
  it('deletes only what is old and finished, never an open event or a row not yet put back', async () => {
    await setRetention(dataSource.manager, { keepRuns: 2 });
    const oldResolved = await event(OLD, 'old resolved');
    const oldRepaired = await event(OLD, 'old, repaired long ago');
    const heldByRepair = await event(OLD, 'old, with a recent repair');
    const open = await event(null, 'open');
    const recent = await event(NEW, 'resolved lately');
    const heldByLostRow = await event(OLD, 'old, a cascaded row not yet put back');
    const oldRepair = await repair(oldRepaired, OLD);
    const recentRepair = await repair(heldByRepair, NEW);
    await db.query(
      `insert into bpetl.lost_rows (event_id, table_name, row_data, depth, restored_at)
       values ($1, 'poll_choices', '{}', 1, null), ($2, 'poll_choices', '{}', 1, ${OLD})`,
      [heldByLostRow, oldResolved],
    );
    await db.query(
      `insert into bpetl.quarantine (event_id, reference, row_id, missing_ref, reason, flagged_at, released_at)
       values ($1, 'polls.team_id', 1, 'a', 'NO_MATCH', ${OLD}, ${OLD}),
              ($2, 'polls.team_id', 2, 'b', 'NO_MATCH', ${OLD}, null)`,
      [oldResolved, open],
    );
    const runs = [
      await run('SUCCEEDED', OLD),
      await run('FAILED', OLD),
      await run('RUNNING', OLD),
      await run('SUCCEEDED', OLD),
      await run('ROLLED_BACK', OLD),
    ];
    await db.query(
      `insert into bpetl.restore_actions (reference, row_id, new_value, strategy, created_at)
       values ('polls.team_id', 1, '2', 'team', ${OLD}), ('polls.team_id', 2, '3', 'team', ${NEW})`,
    );
    await db.query(
      `insert into bpetl.log_findings (fingerprint, category, count, sample, updated_at)
       values ('old', 'DEADLOCK', 1, 'x', ${OLD}), ('new', 'DEADLOCK', 1, 'y', ${NEW})`,
    );
    await db.query(
      `insert into bpetl.log_finding_hits (category, bucket, count)
       values ('DEADLOCK', date_trunc('hour', ${OLD}), 1), ('DEADLOCK', date_trunc('hour', ${NEW}), 1)`,
    );
    await db.query(
      `insert into bpetl.log_alerts (category, count, threshold, window_seconds, raised_at)
       values ('DEADLOCK', 5, 3, 60, ${OLD}), ('DEADLOCK', 5, 3, 60, ${NEW})`,
    );

    // Batches of two: every rule goes round more than once.
    const result = await pruneHistory(dataSource, { batch: 2 });
    expect(result).toEqual({
      skipped: false,
      deleted: {
        lostRows: 1,
        repairs: 1,
        quarantine: 1,
        orphanEvents: 2,
        // The two newest runs keep theirs, and so does the run still going: the two oldest lose theirs.
        pipelineEvents: 6,
        restoreActions: 1,
        logFindingHits: 1,
        logFindings: 1,
        logAlerts: 1,
      },
    });
    expect(await ids('select id from bpetl.orphan_events order by id')).toEqual([
      heldByRepair,
      open,
      recent,
      heldByLostRow,
    ]);
    expect(await ids('select id from bpetl.repairs order by id')).toEqual([recentRepair]);
    expect(oldRepair).toBeLessThan(recentRepair);
    expect(await ids('select event_id as id from bpetl.lost_rows')).toEqual([heldByLostRow]);
    expect(await ids('select event_id as id from bpetl.quarantine')).toEqual([open]);
    expect(await ids('select distinct run_id as id from bpetl.pipeline_events order by 1')).toEqual(
      runs.slice(2),
    );
    expect(await ids('select id from bpetl.pipeline_runs order by id')).toEqual(runs);
    expect(await db.query(`select fingerprint from bpetl.log_findings`)).toEqual([{ fingerprint: 'new' }]);

    // A second round finds nothing more.
    expect(Object.values((await pruneHistory(dataSource)).deleted).every((n) => n === 0)).toBe(true);
  });

  it('another instance holding the retention lock: the round is skipped and deletes nothing', async () => {
    await event(OLD, 'old, while another instance prunes');
    const other = new pg.Client(db.url);
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`select pg_advisory_xact_lock(hashtext('bpetl.retention'))`);
      const before = await db.query('select count(*)::int as n from bpetl.orphan_events');
      expect(await pruneHistory(dataSource)).toMatchObject({ skipped: true });
      expect(await db.query('select count(*)::int as n from bpetl.orphan_events')).toEqual(before);
    } finally {
      await other.query('rollback');
      await other.end();
    }
    expect((await pruneHistory(dataSource)).deleted.orphanEvents).toBe(1);
  });

  it('the policy takes whole days of at least 1, and keeps the values not given', async () => {
    await expect(setRetention(dataSource.manager, { orphanEventsDays: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'retention.orphanEventsDays must be a whole number of at least 1, got 0',
    });
    await expect(setRetention(dataSource.manager, { repairsDays: 1.5 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const policy = await setRetention(dataSource.manager, { logAlertsDays: 7 });
    expect(policy).toEqual({ ...(await loadRetention(dataSource.manager)), logAlertsDays: 7 });
    expect(policy.keepRuns).toBe(2);
  });
});
