// Trigger overhead: bulk insert of 100,000 rows into a protected table (polls) with protection on
// and off. Target: on ≤ 1.3 × off. Run: npx tsx bench/trigger-overhead.ts [rows] [rounds]
import type pg from 'pg';

import { median, seedBenchTeams, withBenchDatabase } from './orphan-bench-db.ts';

const ROWS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 5);

async function insertOnce(pool: pg.Pool, teams: number): Promise<number> {
  await pool.query('truncate polls cascade');
  const started = performance.now();
  await pool.query(
    `insert into polls (team_id, question)
     select 1 + (g % $2), 'Who plays on Sunday? #' || g from generate_series(1, $1) g`,
    [ROWS, teams],
  );
  return performance.now() - started;
}

await withBenchDatabase(async (_url, pool) => {
  const teams = (await seedBenchTeams(pool, 1000)).length;
  const times = { on: [] as number[], off: [] as number[] };
  await insertOnce(pool, teams); // warm-up: caches, plans
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating order so drift (autovacuum, caches) hits both sides alike.
    for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      await pool.query(
        mode === 'on' ? 'select bpetl.enable_protection()' : 'select bpetl.disable_protection()',
      );
      times[mode].push(await insertOnce(pool, teams));
    }
  }
  await pool.query('select bpetl.enable_protection()');
  const on = median(times.on);
  const off = median(times.off);
  const result = {
    rows: ROWS,
    rounds: ROUNDS,
    offMs: Math.round(off),
    onMs: Math.round(on),
    ratio: Number((on / off).toFixed(3)),
    target: '≤ 1.3',
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
});
