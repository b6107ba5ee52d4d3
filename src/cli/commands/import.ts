import cliProgress from 'cli-progress';
import type { Command } from 'commander';

import type { ConstraintRepairAction } from '../../services/constraints/action.ts';
import type { ImportStats } from '../../services/import/import-teams.ts';
import { cancelPipeline, startPipeline } from '../../services/pipeline/run-pipeline.ts';
import type { PipelineEvent, PipelineRun } from '../../services/pipeline/runs.ts';
import type { RestoredRow } from '../../services/snapshots/restore.ts';
import { preflightSource } from '../../sources/preflight.ts';
import { onInterrupt } from '../interrupt.ts';
import { EXIT_FAILURE, runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';

/** The fields of the GraphQL `PipelineRun` type, as GraphQL serialises them. */
export function runJson(run: PipelineRun) {
  return {
    id: run.id,
    status: run.status,
    dryRun: run.dryRun,
    input: run.input,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    stats: run.stats,
    error: run.error,
  };
}

const STEPS = ['validate', 'snapshot', 'repair', 'import', 'restore', 'verify'];

/**
 * A progress bar on a terminal, one plain line per step event otherwise (logs, CI). `stream`:
 * where it draws (stderr; a test passes its own).
 */
export function progressReporter(
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): { onEvent(event: PipelineEvent): void; stop(): void } {
  if (!enabled) return { onEvent: () => undefined, stop: () => undefined };
  if (!stream.isTTY) {
    return {
      onEvent: (e) => stream.write(`[${e.step}] ${e.status.toLowerCase()}: ${e.message}\n`),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'pipeline [{bar}] {value}/{total} {step}: {message}',
      stream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(STEPS.length, 0, { step: 'start', message: '' });
  let reached = 0;
  return {
    onEvent(e) {
      if (e.step === 'run') {
        // The bar ends where the run ended: full only when it succeeded, with the run's status.
        if (e.status === 'RUNNING') bar.update(0, { step: 'run', message: e.message.slice(0, 60) });
        else {
          bar.update(e.status === 'SUCCEEDED' ? STEPS.length : reached, {
            step: e.status,
            message: e.message.slice(0, 60),
          });
        }
        return;
      }
      const index = STEPS.indexOf(e.step);
      reached = Math.max(reached, index + (e.status === 'DONE' ? 1 : 0));
      bar.update(reached, { step: e.step, message: e.message.slice(0, 60) });
    },
    stop: () => bar.stop(),
  };
}

export function printRunSummary(run: PipelineRun): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`pipeline run ${run.id}: ${run.status}${run.dryRun ? ' (dry run: nothing was written)' : ''}`);
  const repairs = (run.stats?.repair as { actions?: ConstraintRepairAction[] } | undefined)?.actions ?? [];
  if (repairs.length > 0) {
    out(
      `constraints: ${repairs.length} repair action(s) before the import (duplicates merged, keys added; ` +
        'each below, and the schema changes in bpetl protection changes)',
    );
    for (const a of repairs) out(`  ${a.detail}`);
  }
  const imported = run.stats?.import as ImportStats | undefined;
  if (imported) {
    const shown = Math.min(imported.rejections.length, REJECTIONS_SHOWN);
    out(
      `scope: ${imported.scope.join(', ')}; ${imported.records.read} records read, ${imported.rejected} rejected` +
        (imported.rejected > 0
          ? ` (records refused for an unreadable or unmatched identifying field; ${shown === imported.rejected ? 'each' : `the first ${shown}`} below, all in bpetl import --json)`
          : ''),
    );
    for (const [table, c] of Object.entries(imported.tables)) {
      // A dry run speaks of what would have happened.
      out(
        run.dryRun
          ? `  ${table.padEnd(14)} would insert ${c.inserted}, update ${c.updated}, leave ${c.unchanged} unchanged, retire ${c.retired}`
          : `  ${table.padEnd(14)} ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged, ${c.retired} retired`,
      );
    }
    for (const r of imported.rejections.slice(0, REJECTIONS_SHOWN)) {
      out(`  rejected ${r.file} record ${r.index} field "${r.field}": ${r.reason}`);
    }
    // Runs recorded before warnings existed have none.
    for (const w of imported.warnings ?? []) {
      out(`  warning ${w.code} (${w.file}): ${w.message}; e.g. ${w.sample}`);
    }
  }
  const restore = run.stats?.restore as
    { remapped: number; unmatched: number; followedPlayerIds?: number; rows?: RestoredRow[] } | undefined;
  if (restore) {
    const followed = restore.followedPlayerIds
      ? run.dryRun
        ? `, ${restore.followedPlayerIds} would follow their player's new id`
        : `, ${restore.followedPlayerIds} followed their player's new id`
      : '';
    const snapshot = (run.stats?.snapshot as { id?: number } | undefined)?.id;
    const rows = restore.rows ?? [];
    const where =
      rows.length === 0
        ? ''
        : `; ${rows.length < restore.remapped + restore.unmatched ? `the first ${rows.length}` : 'each'} below` +
          (snapshot && !run.dryRun ? `, all in bpetl snapshots restore ${snapshot} --dry-run --json` : '');
    const unmatched =
      restore.unmatched > 0
        ? ` (user rows whose target changed with no unique match: left as they are${where})`
        : rows.length > 0
          ? ` (${where.slice(2)})`
          : '';
    out(
      run.dryRun
        ? `user data: would re-point ${restore.remapped}${followed}, would leave ${restore.unmatched} unmatched${unmatched}`
        : `user data: ${restore.remapped} re-pointed${followed}, ${restore.unmatched} left unmatched${unmatched}`,
    );
    for (const r of rows) out(`  ${r.description}`);
  }
  const orphans = run.stats?.orphans as { before: number; after: number } | undefined;
  if (orphans) {
    const after = run.dryRun ? ' (would be)' : '';
    out(
      `orphans: ${orphans.before} before, ${orphans.after} after${after} (user rows pointing at nothing; ` +
        'bpetl health counts them, bpetl repair --dry-run shows what would fix them)',
    );
  }
}

/** Rejected records printed one by one (the JSON document has all of them). */
const REJECTIONS_SHOWN = 10;

/** A run's error as the CLI spells its options: the API's `allowShrink` is `--allow-shrink` here. */
export function cliMessage(message: string): string {
  return message.replace(/\ballowShrink\b/g, '--allow-shrink');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('refresh reference data from a league feed directory or a teams file (.csv, .ndjson)')
    .argument('<path>', 'league feed directory or teams file')
    .option('--dry-run', 'run every step, report the plan, then roll back')
    .option(
      '--league <code>',
      'only this league (repeatable); it is refreshed even if the feed lacks it',
      collect,
      [],
    )
    .option('--allow-shrink', 'let a league lose more than 25 % of its active teams')
    .option('--json', 'print the run as one JSON document (the GraphQL PipelineRun fields)')
    .action(
      (
        path: string,
        options: { dryRun?: boolean; league: string[]; allowShrink?: boolean; json?: boolean },
      ) =>
        runCommand(async (config) => {
          // Before the database opens and a run is recorded: a typo costs milliseconds, not a run.
          await preflightSource(path, { leagues: options.league, leagueOption: ' (--league)' });
          return withApp(config, async (app) => {
            const progress = progressReporter(!options.json);
            try {
              const started = await startPipeline(
                app,
                {
                  path,
                  label: path,
                  leagues: options.league.length ? options.league : undefined,
                  dryRun: options.dryRun ?? false,
                  allowShrink: options.allowShrink ?? false,
                },
                { onEvent: (e) => progress.onEvent(e) },
              );
              // Ctrl-C cancels: the run rolls back at its next step or batch, and the command ends
              // with the run (CANCELLED, exit 1); a second Ctrl-C asks again.
              const stopHandling = onInterrupt(
                () => void cancelPipeline(app, started.run.id).catch(() => undefined),
              );
              const run = await started.finished.finally(stopHandling);
              progress.stop();
              if (options.json) process.stdout.write(`${JSON.stringify(runJson(run), null, 2)}\n`);
              else printRunSummary(run);
              if (run.status !== 'SUCCEEDED') {
                process.stderr.write(
                  `error ${run.error?.code ?? 'INTERNAL'}: ${cliMessage(run.error?.message ?? run.status)}\n`,
                );
                return EXIT_FAILURE;
              }
              return 0;
            } finally {
              progress.stop();
            }
          });
        }),
    );
}
