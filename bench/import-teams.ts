// Team-heavy import benchmark: `bpetl import` as a whole process on a feed of N teams in
// series_stats.json only (players and schedules empty), against, in the same run and database:
// - floor: `psql \copy` of the N team rows (league, club, series, team name) into an empty unlogged table;
// - classic baseline: a psql script doing, per team, a name lookup and an INSERT … ON CONFLICT,
//   committing every 50 teams.
// Run: npm run build:cli && npx tsx bench/import-teams.ts [teams=100000] [rounds=1]
// DATABASE_URL names the server (a fresh database per round is created and dropped); unset: embedded.
// Every figure is wall time of a whole process; CPU seconds of the process (user + sys) and of its
// database backends are printed beside it, since on a shared machine CPU time moves far less.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type pg from 'pg';

import { generateLeagueFeed, writeJsonArray } from '../src/generator/index.ts';
import { withBenchDatabase } from './orphan-bench-db.ts';

const TEAMS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 1));
const SEED = 'bench-import-teams';
const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin/bpetl.js');
const CLK_TCK = 100;

interface Measured {
  wallMs: number;
  /** user + sys of the process itself. */
  cpuMs: number;
  /** CPU of the database backends serving it (sampled; null where /proc cannot be read). */
  dbCpuMs: number | null;
  rssMb: number;
  stdout: string;
}

/** CPU ticks (user + sys) of one process, or null once it is gone. */
async function ticks(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * Samples the CPU of every backend connected to `database` while `fn` runs (every 20 ms: a
 * backend's last 20 ms before it exits can be missed).
 */
async function withBackendCpu<T>(
  pool: pg.Pool,
  database: string,
  fn: () => Promise<T>,
): Promise<{ value: T; dbCpuMs: number | null }> {
  const admin = await pool.connect();
  const backends = async () =>
    (
      await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database])
    ).rows.map((r) => r.pid);
  // The backends already there are the benchmark's own (its pool): not counted.
  const own = new Set(await backends());
  const last = new Map<number, number>();
  let running = true;
  const sampler = (async () => {
    while (running) {
      for (const pid of await backends().catch(() => [])) {
        const t = own.has(pid) ? null : await ticks(pid);
        if (t !== null) last.set(pid, t);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const value = await fn();
    const readable = (await ticks(process.pid)) !== null;
    return {
      value,
      dbCpuMs: readable ? ([...last.values()].reduce((a, b) => a + b, 0) * 1000) / CLK_TCK : null,
    };
  } finally {
    running = false;
    await sampler;
    admin.release();
  }
}

/** Runs a process to its end; its wall time, CPU and peak RSS (from /usr/bin/time when present). */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const child = gnuTime
    ? spawn('/usr/bin/time', ['-f', '@@time %U %S %M', cmd, ...args], { env: { ...process.env, ...env } })
    : spawn(cmd, args, { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  return {
    wallMs,
    cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN,
    rssMb: m ? Number(m[3]) / 1024 : NaN,
    dbCpuMs: null,
    stdout,
  };
}

function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The feed (series_stats.json with N teams, empty players and schedules) and the floor's rows. */
async function writeFeed(dir: string): Promise<{ bytes: number; records: number; teams: number }> {
  const feed = generateLeagueFeed({ seed: SEED, teams: TEAMS });
  await mkdir(path.join(dir, 'feed'));
  const stats = await writeJsonArray(path.join(dir, 'feed', 'series_stats.json'), feed.seriesStats(), true);
  await writeFile(path.join(dir, 'feed', 'players.json'), '[]\n');
  await writeFile(path.join(dir, 'feed', 'schedules.json'), '[]\n');
  // The floor's rows and the baseline's script, from the same teams.
  const tsv = createWriteStream(path.join(dir, 'teams.tsv'));
  const script = createWriteStream(path.join(dir, 'baseline.sql'));
  const write = async (stream: NodeJS.WritableStream, text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  await write(script, '\\set ON_ERROR_STOP on\nbegin;\n');
  const leagues = new Set<string>();
  let teams = 0;
  for (const team of feed.teams()) {
    await write(tsv, [team.league, team.club, team.series, team.teamName].join('\t') + '\n');
    const league = sqlText(team.league);
    const club = sqlText(team.club);
    const series = sqlText(team.series);
    const lid = `(select id from leagues where league_id = ${league})`;
    let sql = '';
    if (!leagues.has(team.league)) {
      leagues.add(team.league);
      sql += `insert into leagues (league_id) values (${league}) on conflict (league_id) do nothing;\n`;
    }
    // The name lookups (club by its comparison key, series in its league), then the team's upsert.
    sql +=
      `insert into clubs (name) select ${club} where not exists ` +
      `(select 1 from clubs where name_key = lower(regexp_replace(btrim(${club}), '\\s+', ' ', 'g')));\n` +
      `insert into series (name, league_id) select ${series}, ${lid} where not exists ` +
      `(select 1 from series where league_id = ${lid} and name = ${series});\n` +
      `insert into teams (club_id, series_id, league_id, team_name) ` +
      `select c.id, s.id, s.league_id, ${sqlText(team.teamName)} from clubs c, series s ` +
      `where c.name_key = lower(regexp_replace(btrim(${club}), '\\s+', ' ', 'g')) and s.league_id = ${lid} and s.name = ${series} ` +
      `on conflict on constraint unique_team_club_series_league do update set team_name = excluded.team_name;\n`;
    if (++teams % 50 === 0) sql += 'commit;\nbegin;\n';
    await write(script, sql);
  }
  await write(script, 'commit;\n');
  tsv.end();
  script.end();
  await Promise.all([once(tsv, 'finish'), once(script, 'finish')]);
  return { bytes: stats.bytes, records: stats.records, teams };
}

interface RunEvents {
  /** Seconds per phase, from one event to the next, under the first event's label. */
  phases: Array<[string, number]>;
  runMs: number;
  tables: Record<string, unknown>;
}

async function runEvents(pool: pg.Pool, runId: string): Promise<RunEvents> {
  const { rows } = await pool.query<{ step: string; status: string; message: string; at: Date }>(
    `select step, status, message, at from bpetl.pipeline_events where run_id = $1 order by id`,
    [runId],
  );
  const phases = new Map<string, number>();
  for (let i = 0; i + 1 < rows.length; i++) {
    const e = rows[i]!;
    const label =
      e.step === 'import' && e.status === 'PROGRESS'
        ? e.message.startsWith('read')
          ? 'reading'
          : e.message
        : `${e.step} ${e.status.toLowerCase()}`;
    phases.set(label, (phases.get(label) ?? 0) + (rows[i + 1]!.at.getTime() - e.at.getTime()));
  }
  const run = (
    await pool.query<{ stats: { import: { tables: Record<string, unknown> } } }>(
      'select stats from bpetl.pipeline_runs where id = $1',
      [runId],
    )
  ).rows[0]!;
  return {
    phases: [...phases].map(([k, ms]) => [k, ms / 1000]),
    runMs: rows.length ? rows.at(-1)!.at.getTime() - rows[0]!.at.getTime() : 0,
    tables: run.stats.import.tables,
  };
}

interface Round {
  floor: Measured;
  baseline: Measured;
  first: Measured & { events: RunEvents };
  unchanged: Measured & { events: RunEvents };
}

async function round(dir: string): Promise<Round> {
  return withBenchDatabase(async (url, pool) => {
    const database = new URL(url).pathname.slice(1);
    const measure = async (cmd: string, args: string[]) => {
      const { value, dbCpuMs } = await withBackendCpu(pool, database, () =>
        timed(cmd, args, { DATABASE_URL: url }),
      );
      return { ...value, dbCpuMs };
    };
    const line = (name: string, m: Measured) =>
      process.stdout.write(
        `${name}: ${(m.wallMs / 1000).toFixed(2)} s wall, CPU ${(m.cpuMs / 1000).toFixed(2)} s process` +
          (m.dbCpuMs === null ? '' : ` + ${(m.dbCpuMs / 1000).toFixed(2)} s database`) +
          (Number.isNaN(m.rssMb) ? '' : `, peak RSS ${m.rssMb.toFixed(0)} MB`) +
          '\n',
      );

    await pool.query(
      `create unlogged table bench_floor (league text, club text, series text, team_name text)`,
    );
    const floor = await measure('psql', [
      url,
      '-qc',
      `\\copy bench_floor from '${path.join(dir, 'teams.tsv')}'`,
    ]);
    await pool.query('drop table bench_floor');
    line('floor: psql \\copy of the team rows into an empty unlogged table', floor);

    const bpetl = async (name: string) => {
      const m = await measure(process.execPath, [CLI, 'import', path.join(dir, 'feed'), '--json']);
      const run = JSON.parse(m.stdout) as { id: string; status: string };
      if (run.status !== 'SUCCEEDED') throw new Error(`${name}: ${m.stdout.slice(0, 2000)}`);
      const events = await runEvents(pool, run.id);
      line(`bpetl import, ${name}`, m);
      process.stdout.write(
        `  run ${(events.runMs / 1000).toFixed(2)} s (first to last event); teams ${JSON.stringify(events.tables.teams)}\n` +
          `  seconds per phase: ${events.phases
            .filter(([, s]) => s >= 0.02)
            .map(([label, s]) => `${label} ${s.toFixed(2)}`)
            .join(', ')}\n`,
      );
      return { ...m, events };
    };
    const first = await bpetl('first import');
    const unchanged = await bpetl('unchanged re-import');

    await pool.query(
      'truncate leagues, clubs, series, club_leagues, series_leagues, teams, players, schedule, series_stats cascade',
    );
    const baseline = await measure('psql', [url, '-q', '-f', path.join(dir, 'baseline.sql')]);
    line(
      'classic baseline: psql script, per team a name lookup and INSERT … ON CONFLICT, commit every 50',
      baseline,
    );
    return { floor, baseline, first, unchanged };
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export async function benchImportTeams(): Promise<void> {
  const compiled = path.join(ROOT, 'dist/cli/main.js');
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < newestMtime(path.join(ROOT, 'src'))) {
    throw new Error(
      'dist/ is missing or older than src/: run `npm run build:cli` first (the benchmark runs the built CLI)',
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-bench-teams-'));
  try {
    const feed = await writeFeed(dir);
    process.stdout.write(
      `feed: ${feed.teams} teams, ${feed.records} series_stats records, ${(feed.bytes / 1e6).toFixed(1)} MB; ` +
        `players and schedules empty\n`,
    );
    const rounds: Round[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      if (ROUNDS > 1) process.stdout.write(`-- round ${r} of ${ROUNDS}\n`);
      rounds.push(await round(dir));
    }
    const best = (pick: (r: Round) => number) => Math.min(...rounds.map(pick));
    const floor = best((r) => r.floor.wallMs);
    const baseline = best((r) => r.baseline.wallMs);
    const first = best((r) => r.first.wallMs);
    const unchanged = best((r) => r.unchanged.wallMs);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    process.stdout.write(
      `${ROUNDS > 1 ? `best of ${ROUNDS} rounds: ` : ''}floor ${s(floor)}, baseline ${s(baseline)}, ` +
        `first import ${s(first)}, unchanged re-import ${s(unchanged)}\n` +
        `ratios: unchanged / floor = ${(unchanged / floor).toFixed(1)}× (target ≤ 20×); ` +
        `baseline / unchanged = ${(baseline / unchanged).toFixed(1)}× (target ≥ 30×); ` +
        `baseline / first = ${(baseline / first).toFixed(1)}× (target ≥ 10×)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchImportTeams();
}
