import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useTestDatabase } from '../../helpers/database.ts';
import { startCli, T0, until } from './helpers.ts';

const db = useTestDatabase();
let dir: string;
const FILES = ['etl-a.log', 'etl-b.log', 'etl-c.log'];
const running: ReturnType<typeof startCli>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-two-followers-'));
  for (const f of FILES) await writeFile(path.join(dir, f), '');
});

afterAll(async () => {
  for (const cli of running) await cli.stop('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** n in letters (0 → "a", 26 → "ba"): fingerprints mask digits, so every line keeps its own. */
function word(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
}

/** The pino error line number n of file f: an orphan sign whose fingerprint no other line shares. */
function line(f: number, n: number): string {
  return `{"level":50,"time":${T0 + n},"msg":"orphan poll ${word(n)} left behind in file ${word(f)}"}`;
}

const written: string[] = [];
let next = 0;

/** Appends `count` new lines to every file. */
async function write(count: number): Promise<void> {
  const from = next;
  next += count;
  for (let f = 0; f < FILES.length; f++) {
    const lines = Array.from({ length: count }, (_, i) => line(f, from + i));
    written.push(...lines);
    await appendFile(path.join(dir, FILES[f]!), `${lines.join('\n')}\n`);
  }
}

async function stored(): Promise<{ rows: number; total: number; most: number }> {
  const [r] = await db.query<{ rows: number; total: number; most: number }>(
    `select count(*)::int as rows, coalesce(sum(count), 0)::int as total, coalesce(max(count), 0)::int as most
       from bpetl.log_findings`,
  );
  return r!;
}

/** Advisory locks held by followers, per backend. */
async function holders(): Promise<number[]> {
  const rows = await db.query<{ n: number }>(
    `select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
      where l.locktype = 'advisory' and l.granted and a.application_name = 'bpetl-logs-watch'
      group by l.pid order by n desc`,
  );
  return rows.map((r) => r.n);
}

function follower() {
  const cli = startCli(['logs', '--watch', '--json', dir], {
    DATABASE_URL: db.url,
    BPETL_LOG_PATHS: '',
    BPETL_DATA_DIR: path.join(dir, 'data'),
  });
  running.push(cli);
  return cli;
}

describe('two followers on the same files', () => {
  it('count every line once, and the survivor takes over a killed follower’s files where it stopped', async () => {
    const a = follower();
    const b = follower();
    await a.waitForStderr(/^following /m);
    await b.waitForStderr(/^following /m);
    // Every file has exactly one holder, whichever of the two it is.
    await until(async () => (await holders()).reduce((x, y) => x + y, 0) === FILES.length, 'all files held');

    await write(40);
    await until(async () => (await stored()).total === written.length, 'the first lines stored');
    expect(await stored()).toEqual({ rows: written.length, total: written.length, most: 1 });

    // Kill a follower that holds files, while lines keep coming: its open batch dies with it.
    const [victim, survivor] = a.lines().length >= b.lines().length ? [a, b] : [b, a];
    expect(victim.lines().length).toBeGreaterThan(0);
    for (let i = 0; i < 12; i++) {
      await write(15);
      if (i === 4) await victim.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 40));
    }

    await until(async () => (await stored()).total >= written.length, 'every line stored');
    // Give a doubled batch, if there were one, the time to land before looking.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stored()).toEqual({ rows: written.length, total: written.length, most: 1 });
    const samples = await db.query<{ sample: string }>(`select sample from bpetl.log_findings`);
    expect(samples.map((s) => s.sample).sort()).toEqual([...written].sort());
    expect(await holders()).toEqual([FILES.length]);
    const offsets = await db.query<{ path: string; offset: number }>(
      `select path, "offset"::int from bpetl.log_offsets order by path`,
    );
    const size = (f: number) =>
      written.filter((l) => l.endsWith(`file ${word(f)}"}`)).reduce((s, l) => s + l.length + 1, 0);
    expect(offsets).toEqual(FILES.map((f, i) => ({ path: path.join(dir, f), offset: size(i) })));
    expect(await survivor.stop('SIGTERM')).toBe(0);
  });
});
