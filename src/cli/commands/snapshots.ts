import type { Command } from 'commander';

import { AppError } from '../../errors.ts';
import { type RestoreResult, restoreUserData } from '../../services/snapshots/restore.ts';
import { getSnapshot, listSnapshots, type SnapshotSummary } from '../../services/snapshots/snapshots.ts';
import { runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';

/** The fields of the GraphQL `Snapshot` type, as GraphQL serialises them (ids as strings). */
export function snapshotJson(s: SnapshotSummary) {
  return {
    id: String(s.id),
    createdAt: s.createdAt.toISOString(),
    note: s.note,
    runId: s.runId,
    runStatus: s.runStatus,
    rows: s.rows,
    byType: s.byType,
  };
}

/** The fields of the GraphQL `RestoreResult` type. */
export function restoreJson(r: RestoreResult) {
  return { ...r, snapshotId: String(r.snapshotId) };
}

function parseId(raw: string): number {
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1) {
    throw new AppError('INVALID_INPUT', `Snapshot id must be a positive integer, got "${raw}"`, {
      field: 'id',
    });
  }
  return id;
}

const write = (text: string) => process.stdout.write(text);

function printSnapshot(s: SnapshotSummary): void {
  write(
    `snapshot ${s.id}  ${s.createdAt.toISOString()}  ${s.rows} user row(s) copied (bpetl snapshots show ${s.id})`,
  );
  write(
    `${s.runId ? `  run ${s.runId} ${s.runStatus ?? ''}`.trimEnd() : ''}${s.note ? `  ${s.note}` : ''}\n`,
  );
}

export function printRestore(r: RestoreResult): void {
  const remapped = (n: number) => (r.dryRun ? `${n} would be re-pointed` : `${n} re-pointed`);
  const changed = r.remapped + r.unmatched;
  const shown =
    r.rows.length === 0
      ? ''
      : ` ${r.rows.length < changed ? `The first ${r.rows.length} below (unmatched first), all with --json` : 'Each below'}.`;
  write(
    `${r.dryRun ? 'dry run: would restore' : 'restored'} from snapshot ${r.snapshotId}: ` +
      `${r.checked} checked (its user rows that still exist), ${remapped(r.remapped)} (their target changed: ` +
      `matched again by natural key), ${r.unchanged} unchanged, ${r.unmatched} unmatched (their target ` +
      `changed with no unique match: left as they are).${shown}\n`,
  );
  for (const ref of r.byReference.filter((b) => b.remapped || b.unmatched)) {
    write(`  ${ref.reference}: ${remapped(ref.remapped)}, ${ref.unmatched} unmatched\n`);
  }
  for (const row of r.rows) write(`  ${row.description}\n`);
}

export function registerSnapshots(program: Command): void {
  const snapshots = program.command('snapshots').description('list, show and restore user-data snapshots');
  snapshots
    .command('list')
    .description('snapshots kept by the retention policy, newest first')
    .option('--json', 'print a JSON array of Snapshot objects')
    .action((options: { json?: boolean }) =>
      runCommand((config) =>
        withApp(config, async (app) => {
          const list = await listSnapshots(app.db.manager);
          if (options.json) write(`${JSON.stringify(list.map(snapshotJson), null, 2)}\n`);
          else if (list.length === 0) write('no snapshots\n');
          else list.forEach(printSnapshot);
        }),
      ),
    );
  snapshots
    .command('show <id>')
    .description('one snapshot and its rows per data type')
    .option('--json', 'print the Snapshot as JSON')
    .action((raw: string, options: { json?: boolean }) =>
      runCommand((config) =>
        withApp(config, async (app) => {
          const s = await getSnapshot(app.db.manager, parseId(raw));
          if (options.json) return void write(`${JSON.stringify(snapshotJson(s), null, 2)}\n`);
          printSnapshot(s);
          for (const t of s.byType) write(`  ${t.dataType}: ${t.rows}\n`);
        }),
      ),
    );
  snapshots
    .command('restore <id>')
    .description('re-point user rows whose reference changed since the snapshot (unique matches only)')
    .option('--dry-run', 'report what would change and change nothing')
    .option('--json', 'print the RestoreResult as JSON')
    .action((raw: string, options: { dryRun?: boolean; json?: boolean }) =>
      runCommand((config) =>
        withApp(config, async (app) => {
          const result = await restoreUserData(app.db, {
            snapshotId: parseId(raw),
            dryRun: !!options.dryRun,
            // The document lists every row; the terminal the first few.
            rows: options.json ? null : undefined,
          });
          if (options.json) write(`${JSON.stringify(restoreJson(result), null, 2)}\n`);
          else printRestore(result);
        }),
      ),
    );
}
