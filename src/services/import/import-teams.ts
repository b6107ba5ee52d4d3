import type { DataSource } from 'typeorm';

import { openSource } from '../../sources/open-source.ts';
import { runStep } from '../step/transaction.ts';
import { type ImportOptions, runImport } from './import-run.ts';
import type { ImportStats } from './import-stats.ts';

export type { ImportOptions } from './import-run.ts';
export type { ImportProgress, ImportStats, Shrink, TableCounts } from './import-stats.ts';
export { SHRINK_LIMIT } from './shrink-guard.ts';

/**
 * Pipeline step 4: stream-parse the source, COPY its records into staging tables, and refresh
 * every reference table with set-based statements on natural keys. Ids of existing rows never
 * change; rows that vanish from the feed inside the scope are retired, never deleted.
 */
export async function importTeams(dataSource: DataSource, options: ImportOptions): Promise<ImportStats> {
  // Repeated records are dropped in SQL (DISTINCT ON, first record wins, as the reader would):
  // the reader's own de-duplication keeps every key in memory, which a national-scale feed cannot afford.
  const source = await openSource(options.path, {
    leagues: options.leagues,
    dedupeRecords: false,
    root: options.root,
    label: options.label,
  });
  return runStep(dataSource, { tx: options.manager, dryRun: options.dryRun }, (manager) =>
    runImport(manager, source, options),
  );
}
