import { beforeAll, describe, expect, it } from 'vitest';

import { ident } from '../../src/db/sql.ts';
import { AppError } from '../../src/errors.ts';
import { hash32, seedUserData, seedUserDataOn, USER_ROWS_PER_GROUP } from '../../src/generator/index.ts';
import { danglingPredicate, loadProtectionSpec } from '../../src/services/protection/spec.ts';
import { useTestDatabase } from '../helpers/database.ts';

const db = useTestDatabase();

const USER_TABLES = [
  'users',
  'polls',
  'poll_choices',
  'poll_responses',
  'captain_messages',
  'user_player_associations',
  'player_availability',
  'user_contexts',
  'saved_lineups',
] as const;

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of USER_TABLES) {
    counts[table] = Number((await db.query<{ n: string }>(`select count(*) as n from ${table}`))[0].n);
  }
  counts.practice_times = Number(
    (await db.query<{ n: string }>(`select count(*) as n from schedule where away_team = ''`))[0].n,
  );
  return counts;
}

beforeAll(async () => {
  await db.query(`
    insert into leagues (league_id, league_name) values ('APTA_CHICAGO', 'APTA Chicago'), ('CNSWPL', 'CNSWPL');
    insert into clubs (name) values ('Ashmere Park'), ('Corfield Bluff'), ('Linley Hills'), ('Dunwell Valley - North');
    insert into series (name, league_id)
      select s.name, l.id from (values ('Chicago 1', 'APTA_CHICAGO'), ('Chicago 2', 'APTA_CHICAGO'),
                                        ('Series 1', 'CNSWPL')) s (name, code)
      join leagues l on l.league_id = s.code;
    insert into series_leagues (series_id, league_id) select id, league_id from series;
    insert into teams (club_id, series_id, league_id, team_name, is_active)
      select c.id, s.id, s.league_id, c.name || ' - ' || s.name, not (c.name = 'Linley Hills' and s.name = 'Chicago 2')
      from clubs c cross join series s;
    -- Every team but one gets five players; one player plays for two teams.
    insert into players (tenniscores_player_id, first_name, last_name, league_id, club_id, series_id, team_id)
      select 'gen-test-' || t.id || '-' || n, 'First' || n, 'Last' || t.id, t.league_id, t.club_id, t.series_id, t.id
      from teams t cross join generate_series(1, 5) n
      where t.team_name <> 'Corfield Bluff - Series 1';
    insert into players (tenniscores_player_id, first_name, last_name, league_id, club_id, series_id, team_id)
      select 'gen-test-shared', 'Shared', 'Player', t.league_id, t.club_id, t.series_id, t.id
      from teams t where t.team_name in ('Ashmere Park - Chicago 1', 'Ashmere Park - Series 1');
  `);
});

describe('seedUserData', () => {
  it('gives every protected type rows, and every reference points at an existing row', async () => {
    const result = await seedUserData(db.pool, { seed: 'demo' });
    const activeTeams = Number(
      (await db.query<{ n: string }>(`select count(*) as n from teams where is_active`))[0].n,
    );
    expect(result.teams).toBe(activeTeams);
    expect(result.groups).toBe(activeTeams);

    const counts = await tableCounts();
    for (const [table, n] of Object.entries(counts)) {
      expect(n, table).toBeGreaterThan(0);
      expect(result[table as keyof typeof result], table).toBe(n);
    }
    expect(result.users).toBe(2 * activeTeams);
    expect(result.poll_choices).toBe(3 * result.polls);
    expect(result.total).toBe(Object.values(counts).reduce((a, b) => a + b, 0));

    // The protection spec's own orphan predicate finds nothing.
    const spec = await loadProtectionSpec({ query: async <T>(sql: string) => (await db.query(sql)) as T });
    expect(spec.length).toBeGreaterThan(5);
    for (const ref of spec) {
      const [{ n }] = await db.query<{ n: string }>(
        `select count(*) as n from ${ident(ref.sourceTable)} s where ${danglingPredicate(ref)}`,
      );
      expect(Number(n), ref.name).toBe(0);
      const [{ set }] = await db.query<{ set: string }>(
        `select count(*) as set from ${ident(ref.sourceTable)} s where s.${ident(ref.sourceColumn)} is not null` +
          (ref.rowFilter ? ` and (${ref.rowFilter})` : ''),
      );
      expect(Number(set), `${ref.name} has values`).toBeGreaterThan(0);
    }

    // References the spec does not cover: users, choices of the same poll, leagues of practices.
    const checks = {
      pollCreators: `select count(*) as n from polls p where not exists (select 1 from users u where u.id = p.created_by)`,
      captains: `select count(*) as n from captain_messages m
                 where not exists (select 1 from users u where u.id = m.captain_user_id)`,
      choiceOfOtherPoll: `select count(*) as n from poll_responses r join poll_choices c on c.id = r.choice_id
                          where c.poll_id <> r.poll_id`,
      responderOffTeam: `select count(*) as n from poll_responses r join polls p on p.id = r.poll_id
                         join players pl on pl.id = r.player_id where pl.team_id <> p.team_id`,
      practiceShape: `select count(*) as n from schedule s join teams t on t.id = s.home_team_id
                      join clubs c on c.id = t.club_id join series se on se.id = t.series_id
                      where s.away_team = '' and (s.home_team <> c.name || ' Practice - ' || se.name
                        or s.league_id is distinct from t.league_id or s.away_team_id is not null)`,
      availabilitySeries: `select count(*) as n from player_availability a join players p on p.id = a.player_id
                           where a.series_id <> p.series_id or a.player_name <> p.first_name || ' ' || p.last_name`,
      lineupUsers: `select count(*) as n from saved_lineups l where not exists (select 1 from users u where u.id = l.user_id)`,
      inactiveTeams: `select count(*) as n from user_contexts c join teams t on t.id = c.active_team_id where not t.is_active`,
    };
    for (const [name, sql] of Object.entries(checks)) {
      expect(Number((await db.query<{ n: string }>(sql))[0].n), name).toBe(0);
    }

    // A team without players still gets its polls, messages and practices.
    const [{ n: bare }] = await db.query<{ n: string }>(
      `select count(*) as n from polls p join teams t on t.id = p.team_id where t.team_name = 'Corfield Bluff - Series 1'`,
    );
    expect(Number(bare)).toBe(1);
  });

  it('writes the same rows for the same seed and database, other rows for another seed', async () => {
    const fingerprint = async (client: { query: typeof db.pool.query }, seed: string) => {
      const result = await seedUserDataOn(client as never, { seed, perTeam: 0.5 });
      const { rows } = await client.query<{ f: string }>(
        `select md5(string_agg(concat_ws('|', u.email, u.first_name, u.last_name, p.team_id, p.question, m.message,
                                          a.tenniscores_player_id, l.lineup_data::text), ',' order by u.email)) as f
         from users u
         left join polls p on p.created_by = u.id
         left join captain_messages m on m.captain_user_id = u.id
         left join user_player_associations a on a.user_id = u.id
         left join saved_lineups l on l.user_id = u.id
         where u.email like 'gen-%'`,
      );
      return { result, print: rows[0].f };
    };
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      const first = await fingerprint(client, 'repeatable');
      await client.query('rollback');
      await client.query('begin');
      const second = await fingerprint(client, 'repeatable');
      await client.query('rollback');
      await client.query('begin');
      const other = await fingerprint(client, 'something else');
      await client.query('rollback');
      expect(second.result).toEqual(first.result);
      expect(second.print).toBe(first.print);
      expect(other.print).not.toBe(first.print);
      expect(first.result.groups).toBe(Math.round(first.result.teams * 0.5));
    } finally {
      client.release();
    }
  });

  it('scales by perTeam or targetRows and can be limited to leagues', async () => {
    const before = await tableCounts();
    const cnswplTeams = Number(
      (
        await db.query<{ n: string }>(
          `select count(*) as n from teams t join leagues l on l.id = t.league_id where l.league_id = 'CNSWPL' and t.is_active`,
        )
      )[0].n,
    );
    const limited = await seedUserData(db.pool, { seed: 'cnswpl-only', perTeam: 3, leagues: ['CNSWPL'] });
    expect(limited.teams).toBe(cnswplTeams);
    expect(limited.groups).toBe(3 * cnswplTeams);
    const [{ n: outside }] = await db.query<{ n: string }>(
      `select count(*) as n from polls p join teams t on t.id = p.team_id join leagues l on l.id = t.league_id
       join users u on u.id = p.created_by where u.email like $1 and l.league_id <> 'CNSWPL'`,
      [`gen-${hash32('cnswpl-only', 'users').toString(36)}-%`],
    );
    expect(Number(outside)).toBe(0);
    const [{ n: inside }] = await db.query<{ n: string }>(
      `select count(*) as n from polls p join users u on u.id = p.created_by where u.email like $1`,
      [`gen-${hash32('cnswpl-only', 'users').toString(36)}-%`],
    );
    expect(Number(inside)).toBe(limited.polls);
    const after = await tableCounts();
    expect(after.users - before.users).toBe(limited.users);

    const target = await seedUserData(db.pool, { seed: 'target', targetRows: 900 });
    expect(target.groups).toBe(Math.ceil(900 / USER_ROWS_PER_GROUP));
    expect(target.total).toBeGreaterThan(700);
    expect(target.total).toBeLessThanOrEqual(900 + USER_ROWS_PER_GROUP);
  });

  it('refuses bad options, a seed already used and a league without teams, writing nothing', async () => {
    const before = await tableCounts();
    const code = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).code;
    };
    expect(await code(seedUserData(db.pool, { seed: 'x', perTeam: 0 }))).toBe('INVALID_INPUT');
    expect(await code(seedUserData(db.pool, { seed: 'x', targetRows: 1.5 }))).toBe('INVALID_INPUT');
    expect(await code(seedUserData(db.pool, { seed: 'x', perTeam: 1, targetRows: 10 }))).toBe(
      'INVALID_INPUT',
    );
    expect(await code(seedUserData(db.pool, { seed: 'demo' }))).toBe('INVALID_INPUT');
    expect(await code(seedUserData(db.pool, { seed: 'x', leagues: ['NOPE'] }))).toBe('NOT_FOUND');
    expect(await tableCounts()).toEqual(before);
  });
});
