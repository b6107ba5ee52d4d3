// Full health scan (natural keys, foreign keys, every protected reference) over 1,000,000 user
// rows. Target ≤ 1 s. Run: npx tsx bench/health-scan.ts [userRows] [rounds]
import { DataSource } from 'typeorm';

import { checkHealth } from '../src/services/health/report.ts';
import { median, seedBenchTeams, withBenchDatabase } from './orphan-bench-db.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);

await withBenchDatabase(async (url, pool) => {
  const teams = (await seedBenchTeams(pool, 10_000)).length;
  const share = (fraction: number) => Math.round(ROWS * fraction);
  const seedStarted = performance.now();
  // Spread over the protected types that hang off teams, plus practice rows; 0.1 % orphaned.
  await pool.query(
    `insert into polls (team_id, question) select 1 + (g % $2), 'q' from generate_series(1, $1) g`,
    [share(0.4), teams],
  );
  await pool.query(
    `insert into captain_messages (team_id, message) select 1 + (g % $2), 'm' from generate_series(1, $1) g`,
    [share(0.3), teams],
  );
  await pool.query(
    `insert into saved_lineups (team_id, lineup_name) select 1 + (g % $2), 'l' from generate_series(1, $1) g`,
    [share(0.2), teams],
  );
  await pool.query(
    `insert into schedule (league_id, match_date, home_team, away_team, home_team_id)
     select (select id from leagues), date '2025-01-01' + (g % 200), 'Bench Club Practice - Series ' || (1 + g % $2), '',
            1 + (g % $2)
       from generate_series(1, $1) g`,
    [share(0.1), teams],
  );
  await pool.query(`alter table polls drop constraint polls_team_id_fkey`);
  await pool.query(`update polls set team_id = team_id + 1000000 where id % 1000 = 0`);
  await pool.query('vacuum analyze');
  const seedMs = performance.now() - seedStarted;

  const db = new DataSource({ type: 'postgres', url });
  await db.initialize();
  try {
    const times: number[] = [];
    let score = 0;
    await checkHealth(db.manager); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      const report = await checkHealth(db.manager);
      times.push(performance.now() - started);
      score = report.score;
    }
    const result = {
      userRows: ROWS,
      rounds: ROUNDS,
      seedMs: Math.round(seedMs),
      medianMs: Math.round(median(times)),
      maxMs: Math.round(Math.max(...times)),
      score,
      target: '≤ 1000 ms',
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await db.destroy();
  }
});
