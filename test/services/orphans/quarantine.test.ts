import { describe, expect, it } from 'vitest';

import { resolveStaleEvents } from '../../../src/services/orphans/events.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();

const QUARANTINE = `query ($first: Int, $after: ID) {
  quarantine(first: $first, after: $after) { id eventId reference table column rowId missingRef reason candidates flaggedAt }
}`;

interface Entry {
  id: string;
  eventId: string;
  reference: string;
  table: string;
  column: string;
  rowId: string;
  missingRef: string;
  reason: string;
}

async function quarantine(variables: Record<string, unknown> = {}): Promise<Entry[]> {
  const response = await t.graphql<{ quarantine: Entry[] }>(QUARANTINE, variables);
  expect(response.errors).toBeUndefined();
  return response.data!.quarantine;
}

describe('the quarantine query', () => {
  it('lists the rows a repair could not match, with the reason, paged by id, until they are released', async () => {
    await t.db.query('alter table polls drop constraint polls_team_id_fkey');
    const polls = await t.db.query<{ id: number }>(
      `insert into polls (team_id, question) values (2147483001, 'a'), (2147483002, 'b') returning id`,
    );
    const repaired = await t.graphql(
      `mutation { repairOrphans { ... on RepairReport { quarantined { rowId } } } }`,
    );
    expect(JSON.stringify(repaired.data)).toContain(String(polls[1]!.id));

    const all = await quarantine();
    expect(all).toMatchObject([
      {
        reference: 'polls.team_id',
        table: 'polls',
        column: 'team_id',
        rowId: String(polls[0]!.id),
        missingRef: '2147483001',
        reason: 'NO_MATCH',
      },
      {
        reference: 'polls.team_id',
        table: 'polls',
        column: 'team_id',
        rowId: String(polls[1]!.id),
        missingRef: '2147483002',
        reason: 'NO_MATCH',
      },
    ]);
    expect(await quarantine({ first: 1 })).toEqual([all[0]]);
    expect(await quarantine({ first: 1, after: all[0]!.id })).toEqual([all[1]]);

    // A row someone re-points to a real team leaves the quarantine once its event is resolved.
    const [team] = await t.db.query<{ id: number }>(
      `with l as (insert into leagues (league_id) values ('QLEAGUE') returning id),
            s as (insert into series (name, league_id) select 'Q 1', id from l returning id, league_id),
            c as (insert into clubs (name) values ('Q Club') returning id)
       insert into teams (club_id, series_id, league_id, team_name) select c.id, s.id, s.league_id, 'Q Club - 1' from c, s
       returning id`,
    );
    await t.db.query('update polls set team_id = $1 where id = $2', [team!.id, polls[0]!.id]);
    await resolveStaleEvents(t.app.db.manager);
    expect((await quarantine()).map((e) => e.rowId)).toEqual([String(polls[1]!.id)]);
  });

  it('refuses a page size out of range', async () => {
    const response = await t.graphql(QUARANTINE, { first: 501 });
    expect(JSON.stringify(response)).toMatch(/first must be between 1 and 500/);
  });
});
