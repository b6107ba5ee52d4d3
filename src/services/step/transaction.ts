import type { DataSource } from 'typeorm';

import { type OpenTransaction, openTransaction, type Tx } from '../../db/sql.ts';
import { logger } from '../../logger.ts';
import { importInProgress, tryImportLock } from './lock.ts';

/**
 * The step contract, shared by `runPipeline` and the single-step mutations that write reference
 * data: one transaction under the import lock (a second caller, on any instance, gets
 * IMPORT_IN_PROGRESS at once instead of queueing), and a dry run that rolls back, its result being
 * the plan.
 */

/** Opens a transaction on its own connection and takes the import lock in it. */
export async function openLockedTransaction(db: DataSource): Promise<OpenTransaction> {
  const open = await openTransaction(db, (err) => logger.warn({ err }, 'rollback failed'));
  try {
    if (!(await tryImportLock(open.tx))) throw await importInProgress(db);
  } catch (err) {
    await open.rollback();
    throw err;
  }
  return open;
}

/** Ends a step's transaction: a dry run rolls back, anything else commits. */
export async function endStep(open: OpenTransaction, dryRun: boolean): Promise<void> {
  if (dryRun) await open.rollback();
  else await open.commit();
}

/**
 * Runs one step: in the caller's transaction when given one (the pipeline's, which holds the lock
 * already), else in its own under the import lock, rolled back after a dry run or a failure.
 */
export async function runStep<T>(
  db: DataSource,
  options: { tx?: Tx; dryRun?: boolean },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (options.tx?.queryRunner?.isTransactionActive) return fn(options.tx);
  const open = await openLockedTransaction(db);
  let result: T;
  try {
    result = await fn(open.tx);
  } catch (err) {
    await open.rollback();
    throw err;
  }
  await endStep(open, options.dryRun ?? false);
  return result;
}
