import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { Command } from 'commander';
import pg from 'pg';
import { glob } from 'tinyglobby';

import { openDatabase } from '../../app/database.ts';
import { ownLogPaths } from '../../app/log-files.ts';
import type { Config } from '../../config.ts';
import { withPgTransaction } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import {
  analyzeLogs,
  createFileOffsetStore,
  type LogAnalysis,
  type LogFinding,
  LogFollower,
  type LogPattern,
  type LogProblem,
  type OffsetStore,
  renderScanSummary,
  scanLogs,
  type ScanResult,
} from '../../logs/index.ts';
import { loadLogPatterns } from '../../logs/patterns.ts';
import { recordFindings } from '../../services/logs/findings.ts';
import { createLeasedPgOffsetStore } from '../../services/logs/lease.ts';
import { runCommand, waitForShutdownSignal } from '../run-command.ts';

interface LogsOptions {
  watch?: boolean;
  analyze?: boolean;
  json?: boolean;
  patterns?: string;
  /** true: --store, false: --no-store, undefined: store when DATABASE_URL is set. */
  store?: boolean;
}

/** A finding with exactly the keys of the documented `--json` shape, in their order. */
function findingJson(f: LogFinding) {
  return {
    category: f.category,
    fingerprint: f.fingerprint,
    count: f.count,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    files: f.files,
    sample: f.sample,
  };
}

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function warnProblems(problems: LogProblem[]): void {
  for (const p of problems) process.stderr.write(`warning: ${p.file || 'logs'}: ${p.reason}\n`);
}

/**
 * A database is used when one is at hand: DATABASE_URL, or --store (which may start the embedded
 * cluster). A plain scan never starts the embedded one by itself: that takes seconds, and a scan
 * that only prints needs no database.
 */
function usesDatabase(config: Config, options: LogsOptions): boolean {
  return options.store ?? config.databaseUrl !== null;
}

async function withPool<T>(config: Config, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  const pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'bpetl-logs' });
  // An idle client dropped by the server (a restart, the embedded cluster stopping on Ctrl-C) must
  // not crash the command; the next query reconnects, and a failed commit is retried by the follower.
  pool.on('error', (err) =>
    logger.debug({ err: { message: err.message } }, 'idle log store connection closed'),
  );
  try {
    return await fn(pool);
  } finally {
    await pool.end();
    await db.stop();
  }
}

function printScan(result: ScanResult, json: boolean): void {
  if (json) {
    const doc = {
      totals: result.totals,
      findings: result.findings.map(findingJson),
      ...(result.problems.length > 0 ? { problems: result.problems } : {}),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const lines = [renderScanSummary(result)];
  if (result.findings.length > 0) {
    lines.push('', 'COUNT  CATEGORY              LAST SEEN                 SAMPLE');
    for (const f of result.findings.slice(0, 20)) {
      lines.push(
        `${String(f.count).padStart(5)}  ${f.category.padEnd(22)}${(f.lastSeen ?? '-').padEnd(26)}${oneLine(f.sample, 100)}`,
      );
    }
    if (result.findings.length > 20) lines.push(`… and ${result.findings.length - 20} more (see --json)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function scan(config: Config, paths: string[], patterns: LogPattern[], options: LogsOptions) {
  const result = await scanLogs({ paths, patterns });
  if (result.files.length === 0 && result.problems.length > 0) {
    const why = result.problems.map((p) => `${p.file}: ${p.reason}`).join('; ');
    throw new AppError('SOURCE_UNREADABLE', `No log file could be read (${why})`, {
      problems: result.problems,
    });
  }
  printScan(result, options.json ?? false);
  if (!options.json) warnProblems(result.problems);
  if (!usesDatabase(config, options)) return;
  // `max`: scanning the same files again must not add their counts a second time.
  const stored = await withPool(config, (pool) =>
    withPgTransaction(pool, (tx) => recordFindings(tx, result.findings, { merge: 'max' })),
  );
  process.stderr.write(`stored ${stored.findings.length} finding(s) in bpetl.log_findings\n`);
}

function printAnalysis(analysis: LogAnalysis): void {
  const out: string[] = [
    'CATEGORY               COUNT  FIRST SEEN                LAST SEEN                 TREND',
  ];
  for (const c of analysis.categories) {
    if (c.count === 0) continue;
    out.push(
      `${c.category.padEnd(22)}${String(c.count).padStart(6)}  ${(c.firstSeen ?? '-').padEnd(26)}` +
        `${(c.lastSeen ?? '-').padEnd(26)}${c.trend} (${c.recent} recent, ${c.previous} before)`,
    );
  }
  if (out.length === 1) out.push('(no findings)');
  out.push('', 'PER DAY (UTC)');
  for (const d of analysis.perDay) out.push(`  ${d.day}  ${d.category.padEnd(22)}${d.count}`);
  out.push('', 'PER FILE');
  for (const f of analysis.perFile) out.push(`  ${f.file}  ${f.category.padEnd(22)}${f.count}`);
  out.push('', 'TOP MESSAGES');
  for (const f of analysis.top) {
    out.push(`  ${String(f.count).padStart(6)}  ${f.category.padEnd(22)}${oneLine(f.sample, 100)}`);
    out.push(`          first ${f.firstSeen ?? '-'}  last ${f.lastSeen ?? '-'}  in ${f.files.join(', ')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function analyze(paths: string[], patterns: LogPattern[], options: LogsOptions) {
  const analysis = await analyzeLogs({ paths, patterns });
  if (analysis.files.length === 0 && analysis.problems.length > 0) {
    const why = analysis.problems.map((p) => `${p.file}: ${p.reason}`).join('; ');
    throw new AppError('SOURCE_UNREADABLE', `No log file could be read (${why})`, {
      problems: analysis.problems,
    });
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...analysis, top: analysis.top.map(findingJson) }, null, 2)}\n`);
  } else {
    printAnalysis(analysis);
    warnProblems(analysis.problems);
  }
}

async function follow(
  paths: string[],
  patterns: LogPattern[],
  options: LogsOptions,
  store: OffsetStore,
  where: string,
): Promise<void> {
  const controller = new AbortController();
  void waitForShutdownSignal().then(() => controller.abort());
  const follower = new LogFollower({
    paths,
    patterns,
    store,
    onFinding: (finding, entry) => {
      if (options.json) {
        process.stdout.write(`${JSON.stringify(findingJson(finding))}\n`);
        return;
      }
      const at = entry.time === null ? '-' : new Date(entry.time).toISOString();
      process.stdout.write(
        `${at} ${finding.category} #${finding.count} ${entry.file}: ${oneLine(entry.message)}\n`,
      );
    },
    onProblem: (p) => warnProblems([p]),
  });
  try {
    // The first poll fixes where each file starts (its end, or its saved offset); say so after it,
    // so whoever waits for that line knows anything written from then on is read.
    await follower.poll().catch((err: unknown) => {
      throw new AppError('SOURCE_UNREADABLE', `Cannot start following (${where}): ${(err as Error).message}`);
    });
    process.stderr.write(`following ${paths.join(', ')}; offsets in ${where}; Ctrl-C stops\n`);
    await follower.run(controller.signal);
  } finally {
    await follower.close();
  }
}

async function watch(config: Config, paths: string[], patterns: LogPattern[], options: LogsOptions) {
  if (usesDatabase(config, options)) {
    const db = await openDatabase(config);
    // A follower of its own: a server (or another watch) on the same files keeps the ones it holds.
    const store = createLeasedPgOffsetStore(
      { connectionString: db.url },
      {
        merge: 'add',
        applicationName: 'bpetl-logs-watch',
        onAlert: (a) =>
          process.stderr.write(
            `alert ${a.category}: ${a.count} occurrence(s) within ${a.windowSeconds} s (threshold ${a.threshold})\n`,
          ),
      },
    );
    try {
      await follow(paths, patterns, options, store, 'the database (bpetl.log_offsets)');
    } finally {
      await store.close();
      await db.stop();
    }
    return;
  }
  await mkdir(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, 'log-offsets.json');
  await follow(paths, patterns, options, createFileOffsetStore(file), file);
}

/** Patterns from --patterns; a bad one names the file as well as the pattern. */
async function patternsFrom(file: string): Promise<LogPattern[]> {
  try {
    return await loadLogPatterns(file);
  } catch (err) {
    if (err instanceof AppError && !err.message.includes(file)) {
      throw new AppError(err.code, `${file}: ${err.message}`, { ...err.details, file });
    }
    throw err;
  }
}

/** bpetl's own log files (see ownLogPaths) that exist now. */
async function writtenLogs(config: Config): Promise<string[]> {
  const found: string[] = [];
  for (const candidate of await ownLogPaths(config)) {
    if ((await glob(candidate, { absolute: true })).length > 0) found.push(candidate);
  }
  return found;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description(
      'scan ETL and PostgreSQL logs for upsert failures, constraint violations, timeouts, orphan signs, ' +
        'aborted transactions and deadlocks (paths default to BPETL_LOG_PATHS)',
    )
    .argument('[paths...]', 'log files, directories or globs (plain or .gz)')
    .option('--watch', 'follow the files as they grow, printing each finding as it occurs')
    .option('--analyze', 'history: counts per category per day and per file, top messages, trends')
    .option('--json', 'print one JSON document (with --watch: one finding per line)')
    .option('--patterns <file>', 'extra categories from JSON: { "CATEGORY": "regex", … }')
    .option('--store', 'store findings in the database (starts the embedded one when DATABASE_URL is unset)')
    .option('--no-store', 'never store findings, even when DATABASE_URL is set')
    .action((args: string[], options: LogsOptions) =>
      runCommand(async (config) => {
        // Neither named nor configured: the logs bpetl writes itself, those there are.
        const paths =
          args.length > 0 ? args : config.logPaths.length > 0 ? config.logPaths : await writtenLogs(config);
        if (paths.length === 0) {
          throw new AppError(
            'INVALID_INPUT',
            'No log paths: name files, directories or globs (`bpetl logs /var/log/postgresql`) or set BPETL_LOG_PATHS; ' +
              `without either, the logs bpetl serve writes under ${config.dataDir} are read, and there are none yet`,
          );
        }
        if (options.watch && options.analyze) {
          throw new AppError('INVALID_INPUT', '--watch and --analyze cannot be combined');
        }
        const patterns = options.patterns ? await patternsFrom(options.patterns) : [];
        if (options.analyze) return analyze(paths, patterns, options);
        if (options.watch) return watch(config, paths, patterns, options);
        return scan(config, paths, patterns, options);
      }),
    );
}
