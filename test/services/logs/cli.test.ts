import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../../helpers/cli.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { lineOf, orphanLines, startCli, T0, until } from './helpers.ts';

const db = useTestDatabase();
let dir: string;
let dataDir: string;
let appLog: string;
let pgLog: string;

/** No database and no configured paths, whatever the environment of the test run says. */
const env = () => ({ DATABASE_URL: '', BPETL_LOG_PATHS: '', BPETL_DATA_DIR: dataDir });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-logs-cli-'));
  dataDir = path.join(dir, 'data');
  appLog = path.join(dir, 'app.log');
  pgLog = path.join(dir, 'postgresql.log');
  await writeFile(
    appLog,
    orphanLines(0, 3) +
      `{"level":30,"time":${T0},"msg":"import finished"}\n` +
      `{"level":50,"time":${T0 + 5000},"msg":"upsert of teams failed","err":{"message":"duplicate key value violates unique constraint \\"teams_pkey\\"","code":"23505"}}\n`,
  );
  await writeFile(
    pgLog,
    '2025-08-06 10:00:00.123 UTC [4242] ERROR:  deadlock detected\n' +
      '2025-08-07 11:00:00.123 UTC [4243] ERROR:  deadlock detected\n' +
      '2025-08-07 11:00:01.000 UTC [4244] LOG:  checkpoint complete\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FINDING_KEYS = ['category', 'fingerprint', 'count', 'firstSeen', 'lastSeen', 'files', 'sample'];

describe('bpetl logs (scan once)', () => {
  it('prints the summary: occurrences per category and per file', async () => {
    const r = await runCli(['logs', appLog, pgLog], env());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^CATEGORY\s+OCCURRENCES\s+FINDINGS$/m);
    expect(r.stdout).toMatch(/^ORPHAN_INDICATOR\s+3\s+1$/m);
    expect(r.stdout).toMatch(/^DEADLOCK\s+2\s+1$/m);
    expect(r.stdout).toMatch(/^CONNECTION_TIMEOUT\s+0\s+0$/m);
    expect(r.stdout).toMatch(new RegExp(`^${pgLog}\\s+pg-stderr\\s+DEADLOCK\\s+2$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^${appLog}\\s+pino\\s+ORPHAN_INDICATOR\\s+3$`, 'm'));
  });

  it('--json prints one document with exactly the documented keys', async () => {
    const r = await runCli(['logs', '--json', dir], env());
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      totals: Record<string, number>;
      findings: Array<Record<string, unknown>>;
    };
    expect(Object.keys(doc)).toEqual(['totals', 'findings']);
    expect(doc.totals).toEqual({
      UPSERT_FAILURE: 0,
      CONSTRAINT_VIOLATION: 1,
      CONNECTION_TIMEOUT: 0,
      ORPHAN_INDICATOR: 3,
      ABORTED_TRANSACTION: 0,
      DEADLOCK: 2,
    });
    for (const f of doc.findings) expect(Object.keys(f)).toEqual(FINDING_KEYS);
    const orphan = doc.findings.find((f) => f.category === 'ORPHAN_INDICATOR')!;
    expect(orphan).toMatchObject({
      count: 3,
      firstSeen: new Date(T0).toISOString(),
      lastSeen: new Date(T0 + 2000).toISOString(),
      files: [appLog],
    });
    expect(orphan.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(orphan.sample).toContain('orphan poll');
    expect(doc.findings.find((f) => f.category === 'DEADLOCK')).toMatchObject({ count: 2, files: [pgLog] });
  });

  it('--json adds problems when a path names nothing, and still scans the rest', async () => {
    const missing = path.join(dir, 'missing.log');
    const r = await runCli(['logs', '--json', pgLog, missing], env());
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { totals: Record<string, number>; problems: unknown[] };
    expect(Object.keys(doc)).toEqual(['totals', 'findings', 'problems']);
    expect(doc.totals.DEADLOCK).toBe(2);
    expect(doc.problems).toEqual([{ file: missing, reason: 'no such file or directory' }]);
  });

  it('--patterns adds configured categories', async () => {
    const patterns = path.join(dir, 'patterns.json');
    await writeFile(patterns, JSON.stringify({ CHECKPOINTS: 'checkpoint complete' }));
    const r = await runCli(['logs', '--json', '--patterns', patterns, pgLog], env());
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { totals: Record<string, number> }).totals).toMatchObject({
      CHECKPOINTS: 1,
      DEADLOCK: 2,
    });
  });

  it('reads BPETL_LOG_PATHS when no path is given', async () => {
    const r = await runCli(['logs', '--json'], { ...env(), BPETL_LOG_PATHS: pgLog });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { totals: Record<string, number> }).totals.DEADLOCK).toBe(2);
  });

  it('fails with a clear error when no path is given or configured', async () => {
    const r = await runCli(['logs'], env());
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error INVALID_INPUT: No log paths: .*BPETL_LOG_PATHS/);
  });

  it('fails when no named path can be read', async () => {
    const missing = path.join(dir, 'nope.log');
    const r = await runCli(['logs', '--json', missing], env());
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error SOURCE_UNREADABLE: No log file could be read (${missing}: no such file or directory)\n`,
    );
  });

  it('fails on a bad patterns file, naming the file', async () => {
    const patterns = path.join(dir, 'bad-patterns.json');
    await writeFile(patterns, JSON.stringify({ BROKEN: '(unclosed' }));
    const r = await runCli(['logs', '--patterns', patterns, pgLog], env());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error INVALID_INPUT: .*/);
    expect(r.stderr).toContain(patterns);
  });

  it('refuses --watch with --analyze', async () => {
    const r = await runCli(['logs', '--watch', '--analyze', pgLog], env());
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error INVALID_INPUT: --watch and --analyze cannot be combined\n');
  });

  it('stores findings when a database is configured, and a rescan does not double them', async () => {
    const withDb = { ...env(), DATABASE_URL: db.url };
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['logs', '--json', appLog, pgLog], withDb);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('stored 3 finding(s) in bpetl.log_findings');
    }
    const rows = await db.query<{ category: string; count: number }>(
      `select category, count::int from bpetl.log_findings order by category`,
    );
    expect(rows).toEqual([
      { category: 'CONSTRAINT_VIOLATION', count: 1 },
      { category: 'DEADLOCK', count: 2 },
      { category: 'ORPHAN_INDICATOR', count: 3 },
    ]);
    const plain = await runCli(['logs', '--no-store', pgLog], withDb);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
  });
});

describe('bpetl logs when storing fails', () => {
  it('still prints the scan, says why storing failed, and exits 1', async () => {
    // A server that answers but has no such database: the scan works, the store cannot.
    const missing = db.url.replace(/\/[^/?]+(\?|$)/, '/bpetl_no_such_database$1');
    const r = await runCli(['logs', '--json', appLog, pgLog], { ...env(), DATABASE_URL: missing });
    expect(r.status, r.stderr).toBe(1);
    const printed = JSON.parse(r.stdout) as { totals: Record<string, number>; findings: unknown[] };
    expect(printed.totals).toMatchObject({ ORPHAN_INDICATOR: 3, DEADLOCK: 2, CONSTRAINT_VIOLATION: 1 });
    expect(printed.findings).toHaveLength(3);
    expect(r.stderr).toMatch(/bpetl_no_such_database/);
    expect(r.stderr).not.toContain('stored ');

    const plain = await runCli(['logs', appLog], { ...env(), DATABASE_URL: missing });
    expect(plain.status).toBe(1);
    expect(plain.stdout).toMatch(/ORPHAN_INDICATOR/);
  });
});

describe('bpetl logs --analyze', () => {
  it('prints the history: per category with trend, per day, per file, top messages', async () => {
    const r = await runCli(['logs', '--analyze', appLog, pgLog], env());
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^DEADLOCK\s+2\s+2025-08-06T10:00:00\.123Z\s+2025-08-07T11:00:00\.123Z\s+NEW \(2 recent, 0 before\)$/m,
    );
    expect(r.stdout).toMatch(/^ {2}2025-08-06\s+DEADLOCK\s+1$/m);
    expect(r.stdout).toMatch(/^ {2}2025-08-07\s+DEADLOCK\s+1$/m);
    expect(r.stdout).toMatch(/^ {2}2025-08-06\s+ORPHAN_INDICATOR\s+3$/m);
    expect(r.stdout).toContain('PER FILE');
    expect(r.stdout).toMatch(new RegExp(`^ {2}${pgLog}\\s+DEADLOCK\\s+2$`, 'm'));
    expect(r.stdout).toMatch(/^TOP MESSAGES\n\s+3\s+ORPHAN_INDICATOR/m);
  });

  it('--json prints the analysis as one document, rotated siblings included', async () => {
    const logs = path.join(dir, 'rotated');
    await mkdir(logs);
    await writeFile(path.join(logs, 'pg.log'), '2025-08-07 11:00:00 UTC [1] ERROR:  deadlock detected\n');
    await writeFile(path.join(logs, 'pg.log.1'), '2025-08-01 11:00:00 UTC [1] ERROR:  deadlock detected\n');
    const r = await runCli(['logs', '--analyze', '--json', path.join(logs, 'pg.log')], env());
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      totals: Record<string, number>;
      perDay: unknown[];
      top: Array<Record<string, unknown>>;
    };
    expect(doc.totals.DEADLOCK).toBe(2);
    expect(doc.perDay).toEqual([
      { day: '2025-08-01', category: 'DEADLOCK', count: 1 },
      { day: '2025-08-07', category: 'DEADLOCK', count: 1 },
    ]);
    expect(Object.keys(doc.top[0]!)).toEqual(FINDING_KEYS);
  });
});

describe('bpetl logs --watch', () => {
  it('prints each new finding as a line, and after a restart neither repeats nor loses lines', async () => {
    const log = path.join(dir, 'watched.log');
    await writeFile(log, orphanLines(0, 5)); // history: --watch starts at the end
    const args = ['logs', '--watch', '--json', log];

    let cli = startCli(args, env());
    await cli.waitForStderr(/^following /m);
    await appendFile(log, orphanLines(5, 8));
    await untilLines(cli, 3);
    expect(await cli.stop('SIGINT')).toBe(0);
    const first = cli.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first.map((f) => lineOf(f.lastSeen as string))).toEqual([5, 6, 7]);
    expect(first.map((f) => f.count)).toEqual([1, 2, 3]);
    for (const f of first) expect(Object.keys(f)).toEqual(FINDING_KEYS);
    expect(first[0]).toMatchObject({ category: 'ORPHAN_INDICATOR', files: [log] });

    // Written while it was down: read after the restart, from the saved offset.
    await appendFile(log, orphanLines(8, 10));
    const offsets = JSON.parse(await readFile(path.join(dataDir, 'log-offsets.json'), 'utf8')) as {
      offsets: Array<{ path: string }>;
    };
    expect(offsets.offsets.map((o) => o.path)).toContain(log);
    cli = startCli(args, env());
    await cli.waitForStderr(/^following /m);
    await appendFile(log, orphanLines(10, 11));
    await untilLines(cli, 3);
    expect(await cli.stop('SIGTERM')).toBe(0);
    expect(cli.lines().map((l) => lineOf((JSON.parse(l) as { lastSeen: string }).lastSeen))).toEqual([
      8, 9, 10,
    ]);
  });

  it('prints readable lines without --json', async () => {
    const log = path.join(dir, 'readable.log');
    await writeFile(log, '');
    const cli = startCli(['logs', '--watch', log], env());
    await cli.waitForStderr(/^following /m);
    await appendFile(log, '2025-08-06 10:00:00.123 UTC [4242] ERROR:  deadlock detected\n');
    await untilLines(cli, 1);
    expect(await cli.stop()).toBe(0);
    expect(cli.lines()).toEqual([`2025-08-06T10:00:00.123Z DEADLOCK #1 ${log}: deadlock detected`]);
  });

  it('keeps offsets in the database when one is configured', async () => {
    const log = path.join(dir, 'db-watched.log');
    await writeFile(log, '');
    const withDb = { ...env(), DATABASE_URL: db.url };
    const cli = startCli(['logs', '--watch', '--json', log], withDb);
    await cli.waitForStderr(/offsets in the database/);
    await appendFile(
      log,
      '2025-08-06 10:00:00 UTC [1] ERROR:  canceling statement due to statement timeout\n',
    );
    await untilLines(cli, 1);
    expect(await cli.stop()).toBe(0);
    const [offset] = await db.query<{ offset: number }>(
      `select "offset"::int from bpetl.log_offsets where path = $1`,
      [log],
    );
    expect(offset?.offset).toBe((await readFile(log)).length);
    const [finding] = await db.query<{ count: number }>(
      `select count::int from bpetl.log_findings where files @> array[$1]`,
      [log],
    );
    expect(finding?.count).toBe(1);
  });
});

async function untilLines(cli: ReturnType<typeof startCli>, n: number): Promise<void> {
  await until(() => cli.lines().length >= n, `${n} line(s) on stdout; stderr: ${cli.out.stderr}`);
}
