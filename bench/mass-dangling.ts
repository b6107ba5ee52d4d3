// A legacy ETL re-creating every team under session_replication_role = replica (no foreign key
// fires) with 1,000,000 user rows: 630,000 of them point at teams and are left dangling, every one
// to be recorded. The same statement with protection on and off, in the same run.
// Target: on ≤ max(10 × off, 5 s). Run: npx tsx bench/mass-dangling.ts [userRows] [rounds]
import type pg from 'pg';

import { median, seedBenchTeams, withBenchDatabase } from './orphan-bench-db.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 1);
const TEAMS = 10_000;
const share = (fraction: number) => Math.round(ROWS * fraction);

/** User rows: 63 % on teams (polls, captain messages, lineups), 37 % availability on players. */
async function seedUserRows(pool: pg.Pool): Promise<void> {
  await pool.query(
    `truncate polls, captain_messages, saved_lineups, player_availability, bpetl.orphan_events cascade`,
  );
  const ids = `(select array_agg(id order by id) from teams)`;
  await pool.query(
    `insert into polls (team_id, question) select (${ids})[1 + g % $2], 'q' from generate_series(1, $1) g`,
    [share(0.25), TEAMS],
  );
  await pool.query(
    `insert into captain_messages (team_id, message) select (${ids})[1 + g % $2], 'm' from generate_series(1, $1) g`,
    [share(0.2), TEAMS],
  );
  await pool.query(
    `insert into saved_lineups (team_id, lineup_name) select (${ids})[1 + g % $2], 'l' from generate_series(1, $1) g`,
    [share(0.18), TEAMS],
  );
  await pool.query(
    `insert into player_availability (player_id, series_id, match_date)
     select p.id, p.series_id, date '2025-01-01' + (g % 200)
       from generate_series(1, $1) g join players p on p.id = (select min(id) from players) + g % $2`,
    [share(0.37), TEAMS],
  );
  await pool.query('vacuum analyze');
}

/** The legacy ETL's statement: every team deleted and inserted again (new ids), under replica. */
async function recreateTeams(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(`create temp table if not exists bench_teams as select * from teams with no data`);
    await client.query(`truncate bench_teams; insert into bench_teams select * from teams`);
    if (process.env.BENCH_EXPLAIN) {
      client.on('notice', (n) => process.stderr.write(`${n.message}\n`));
      await client.query(`load 'auto_explain'`);
      await client.query(`set auto_explain.log_min_duration = 200`);
      await client.query(`set auto_explain.log_nested_statements = on`);
      await client.query(`set auto_explain.log_analyze = on`);
      await client.query(`set auto_explain.log_level = notice`);
    }
    const started = performance.now();
    await client.query('begin');
    await client.query(`set local session_replication_role = replica`);
    await client.query(`delete from teams`);
    await client.query(
      `insert into teams (club_id, series_id, league_id, team_name) select club_id, series_id, league_id, team_name from bench_teams`,
    );
    await client.query('commit');
    return performance.now() - started;
  } finally {
    client.release();
  }
}

await withBenchDatabase(async (_url, pool) => {
  await seedBenchTeams(pool, TEAMS);
  await pool.query(
    `insert into players (tenniscores_player_id, first_name, last_name, league_id, club_id, series_id, team_id)
     select 'P' || t.id, 'F', 'L', t.league_id, t.club_id, t.series_id, t.id from teams t`,
  );
  const times = { on: [] as number[], off: [] as number[] };
  let events = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      await pool.query('select bpetl.disable_protection()');
      const seeded = performance.now();
      await seedUserRows(pool);
      process.stderr.write(`seeded (${mode}) in ${Math.round(performance.now() - seeded)} ms\n`);
      if (mode === 'on') await pool.query('select bpetl.enable_protection()');
      times[mode].push(await recreateTeams(pool));
      if (mode === 'on') {
        const [row] = (await pool.query<{ n: number }>(`select count(*)::int as n from bpetl.orphan_events`))
          .rows;
        events = row!.n;
      }
    }
  }
  await pool.query('select bpetl.enable_protection()');
  const on = median(times.on);
  const off = median(times.off);
  process.stdout.write(
    `${JSON.stringify({
      userRows: ROWS,
      danglingExpected: share(0.25) + share(0.2) + share(0.18),
      eventsRecorded: events,
      rounds: ROUNDS,
      offMs: Math.round(off),
      onMs: Math.round(on),
      ratio: Number((on / off).toFixed(1)),
      targetMs: Math.max(10 * off, 5000),
    })}\n`,
  );
});
