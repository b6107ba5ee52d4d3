// Import benchmark: the pipeline against the floor (plain COPY of the team rows into an empty
// unlogged table) and the classic row-by-row baseline, on generated feeds.
// Run: npx tsx bench/import.ts [teams=100000] [baselineSample=3000] [rounds=1]
// DATABASE_URL names the server (a fresh database per round is created and dropped); unset:
// embedded. With several rounds every figure is the best round's: on a shared machine the best of
// a few runs is the steadiest estimate of what the code costs.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config.ts';
import { generateLeagueFeed, writeLeagueFeed } from '../src/generator/index.ts';
import type { ImportStats } from '../src/services/import/import-teams.ts';
import { startPipeline } from '../src/services/pipeline/run-pipeline.ts';
import type { PipelineEvent } from '../src/services/pipeline/runs.ts';
import { importClassic } from './import-baseline.ts';
import { withBenchDatabase } from './orphan-bench-db.ts';

const TEAMS = Number(process.argv[2] ?? 100_000);
const SAMPLE = Math.min(TEAMS, Number(process.argv[3] ?? 3_000));
const ROUNDS = Math.max(1, Number(process.argv[4] ?? 1));
const SEED = 'bench-import';

export interface ImportBenchResult {
  teams: number;
  rows: { teams: number; players: number; fixtures: number };
  floorMs: number;
  /** COPY of every row the import stages (teams, players, fixtures, stats) into empty unlogged tables. */
  allRowsFloorMs: number;
  runs: Array<{ name: string; totalMs: number; importMs: number; teams: ImportStats['tables']['teams'] }>;
  baseline: { sampleTeams: number; sampleMs: number; extrapolatedMs: number };
}

/** Sends prepared COPY text; only the database's work is left to time. */
async function copyIn(client: pg.PoolClient, sql: string, chunks: Array<string | Buffer>): Promise<void> {
  const stream = client.query(copyFrom(sql));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
  });
}

async function floorCopy(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(
      `create unlogged table bench_floor (league text, club text, series text, team_name text)`,
    );
    // Built before the clock starts and sent in 64 KB chunks: the floor is the database's work alone.
    const chunks: string[] = [];
    let chunk = '';
    for (const team of generateLeagueFeed({ seed: SEED, teams: TEAMS }).teams()) {
      chunk += [team.league, team.club, team.series, team.teamName].join('\t') + '\n';
      if (chunk.length >= 65_536) {
        chunks.push(chunk);
        chunk = '';
      }
    }
    chunks.push(chunk);
    const started = performance.now();
    await copyIn(client, 'copy bench_floor from stdin', chunks);
    return performance.now() - started;
  } finally {
    await client.query('drop table if exists bench_floor');
    client.release();
  }
}

async function timedRun(app: Awaited<ReturnType<typeof createApp>>, name: string, dir: string) {
  const marks = new Map<string, number>();
  // Time spent in each phase: from an event to the next, under the first event's label.
  const phases = new Map<string, number>();
  let current = 'start';
  let last = performance.now();
  const onEvent = (e: PipelineEvent) => {
    const now = performance.now();
    phases.set(current, (phases.get(current) ?? 0) + now - last);
    const progress = e.step === 'import' && e.status === 'PROGRESS';
    current = progress
      ? e.message.startsWith('read')
        ? 'reading'
        : e.message
      : `${e.step} ${e.status.toLowerCase()}`;
    last = now;
    if (e.step === 'import' && (e.status === 'STARTED' || e.status === 'DONE')) {
      marks.set(e.status, performance.now());
    }
  };
  const started = performance.now();
  const run = await (await startPipeline(app, { path: dir, allowShrink: true }, { onEvent })).finished;
  const totalMs = performance.now() - started;
  if (run.status !== 'SUCCEEDED') throw new Error(`${name}: ${run.status} ${JSON.stringify(run.error)}`);
  const importMs = (marks.get('DONE') ?? 0) - (marks.get('STARTED') ?? 0);
  const stats = run.stats!.import as ImportStats;
  process.stdout.write(
    `${name}: pipeline ${(totalMs / 1000).toFixed(2)} s, import step ${(importMs / 1000).toFixed(2)} s; ` +
      `teams ${JSON.stringify(stats.tables.teams)}\n` +
      `  seconds per phase: ${[...phases]
        .filter(([, ms]) => ms >= 50)
        .map(([label, ms]) => `${label} ${(ms / 1000).toFixed(1)}`)
        .join(', ')}\n`,
  );
  return { name, totalMs, importMs, teams: stats.tables.teams, stats };
}

/**
 * The floor for the whole feed: the rows the import keeps (teams, players, fixtures, series stats),
 * read back as COPY text before the clock starts, then COPYed into empty unlogged tables.
 */
async function floorAllRows(pool: pg.Pool): Promise<number> {
  const tables = ['teams', 'players', 'schedule', 'series_stats'];
  const client = await pool.connect();
  try {
    const texts: Array<{ table: string; chunks: Buffer[] }> = [];
    for (const table of tables) {
      await client.query(`create unlogged table bench_floor_${table} (like ${table})`);
      const chunks: Buffer[] = [];
      const out = client.query(copyTo(`copy ${table} to stdout`));
      for await (const chunk of out) chunks.push(chunk as Buffer);
      texts.push({ table, chunks });
    }
    const started = performance.now();
    for (const { table, chunks } of texts) {
      await copyIn(client, `copy bench_floor_${table} from stdin`, chunks);
    }
    return performance.now() - started;
  } finally {
    for (const table of tables) await client.query(`drop table if exists bench_floor_${table}`);
    client.release();
  }
}

type Round = Omit<ImportBenchResult, 'teams' | 'rows'>;

async function round(dirs: { base: string; changed: string; sample: string }): Promise<Round> {
  return withBenchDatabase(async (url, pool) => {
    const floorMs = await floorCopy(pool);
    process.stdout.write(
      `floor: COPY of ${TEAMS} team rows into an empty unlogged table ${floorMs.toFixed(0)} ms\n`,
    );
    const app = await createApp(loadConfig(), url);
    const runs = [];
    try {
      runs.push(await timedRun(app, 'first import', dirs.base));
      runs.push(await timedRun(app, 'unchanged re-import', dirs.base));
      runs.push(await timedRun(app, 're-import, 1 % changed', dirs.changed));
    } finally {
      await app.close();
    }
    const allRowsFloorMs = await floorAllRows(pool);
    process.stdout.write(
      `floor, all rows: COPY of every team, player, fixture and stats row ${(allRowsFloorMs / 1000).toFixed(2)} s\n`,
    );
    await pool.query(
      'truncate leagues, clubs, series, club_leagues, series_leagues, teams, players, schedule, series_stats cascade',
    );
    const sampleMs = await importClassic(pool, dirs.sample);
    const extrapolatedMs = (sampleMs * TEAMS) / SAMPLE;
    process.stdout.write(
      `baseline: ${SAMPLE} teams row by row in ${(sampleMs / 1000).toFixed(2)} s → ` +
        `${(extrapolatedMs / 1000).toFixed(1)} s for ${TEAMS} teams\n`,
    );
    return {
      floorMs,
      allRowsFloorMs,
      runs: runs.map(({ stats: _stats, ...r }) => r),
      baseline: { sampleTeams: SAMPLE, sampleMs, extrapolatedMs },
    };
  });
}

/** Each figure from its best round. */
function best(rounds: Round[]): Round {
  const min = (values: number[]) => Math.min(...values);
  return {
    floorMs: min(rounds.map((r) => r.floorMs)),
    allRowsFloorMs: min(rounds.map((r) => r.allRowsFloorMs)),
    runs: rounds[0]!.runs.map((run, i) => ({
      ...run,
      totalMs: min(rounds.map((r) => r.runs[i]!.totalMs)),
      importMs: min(rounds.map((r) => r.runs[i]!.importMs)),
    })),
    baseline: {
      sampleTeams: SAMPLE,
      sampleMs: min(rounds.map((r) => r.baseline.sampleMs)),
      extrapolatedMs: min(rounds.map((r) => r.baseline.extrapolatedMs)),
    },
  };
}

export async function benchImport(): Promise<ImportBenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-bench-import-'));
  try {
    const dirs = {
      base: path.join(dir, 'base'),
      changed: path.join(dir, 'changed'),
      sample: path.join(dir, 'sample'),
    };
    const written = await writeLeagueFeed(dirs.base, { seed: SEED, teams: TEAMS, compact: true });
    await writeLeagueFeed(dirs.changed, { seed: SEED, teams: TEAMS, compact: true, changeFraction: 0.01 });
    await writeLeagueFeed(dirs.sample, { seed: SEED, teams: SAMPLE, compact: true });
    process.stdout.write(
      `feed: ${written.teams} teams, ${written.players} player and ${written.schedules} schedule records, ` +
        `${(written.bytes / 1e6).toFixed(0)} MB\n`,
    );
    const rounds: Round[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      if (ROUNDS > 1) process.stdout.write(`-- round ${r} of ${ROUNDS}\n`);
      rounds.push(await round(dirs));
    }
    const result = best(rounds);
    const [first, unchanged, changed] = result.runs as [Round['runs'][0], Round['runs'][0], Round['runs'][0]];
    const base = result.baseline.extrapolatedMs;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    process.stdout.write(
      `${ROUNDS > 1 ? `best of ${ROUNDS} rounds: ` : ''}floor ${result.floorMs.toFixed(0)} ms, ` +
        `all-rows floor ${s(result.allRowsFloorMs)}, baseline ${s(base)}; pipeline first ${s(first.totalMs)}, ` +
        `unchanged ${s(unchanged.totalMs)} (import step ${s(unchanged.importMs)}), ` +
        `1 % changed ${s(changed.totalMs)}\n` +
        `ratios: unchanged import step / floor = ${(unchanged.importMs / result.floorMs).toFixed(0)}× (target ≤ 5×), ` +
        `/ all-rows floor = ${(unchanged.importMs / result.allRowsFloorMs).toFixed(1)}×; ` +
        `baseline / first pipeline = ${(base / first.totalMs).toFixed(1)}× (target ≥ 30×); ` +
        `baseline / unchanged pipeline = ${(base / unchanged.totalMs).toFixed(1)}×; ` +
        `baseline / 1 % changed pipeline = ${(base / changed.totalMs).toFixed(1)}×\n`,
    );
    return {
      teams: TEAMS,
      rows: { teams: written.teams, players: written.players, fixtures: written.schedules },
      ...result,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchImport();
  process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
}
