import { describe, expect, it } from 'vitest';

import { AppError } from '../../../src/errors.ts';
import { openLockedTransaction, runStep } from '../../../src/services/step/transaction.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
const dataSource = useDataSource(db);

const setting = async (key: string) =>
  (await db.query<{ value: unknown }>(`select value from bpetl.settings where key = $1`, [key]))[0]?.value;
const write = (key: string) => (tx: { query(sql: string, params: unknown[]): Promise<unknown> }) =>
  tx.query(`insert into bpetl.settings (key, value) values ($1, '"written"'::jsonb)`, [key]);

describe('the step contract', () => {
  it('commits a step, and rolls a dry run back while returning its result', async () => {
    await runStep(dataSource.current, {}, write('step-committed'));
    const plan = await runStep(dataSource.current, { dryRun: true }, async (tx) => {
      await write('step-dry-run')(tx);
      return 'the plan';
    });
    expect(plan).toBe('the plan');
    expect(await setting('step-committed')).toBe('written');
    expect(await setting('step-dry-run')).toBeUndefined();
  });

  it('refuses a second step while one holds the lock, with IMPORT_IN_PROGRESS', async () => {
    const held = await openLockedTransaction(dataSource.current);
    try {
      const refused = await runStep(dataSource.current, {}, write('step-refused')).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('IMPORT_IN_PROGRESS');
      // The holder is no pipeline run, so there is no run to name.
      expect((refused as AppError).details).toEqual({ runId: null });
    } finally {
      await held.rollback();
    }
    expect(await setting('step-refused')).toBeUndefined();
  });

  it('joins the caller’s transaction without taking the lock again', async () => {
    const held = await openLockedTransaction(dataSource.current);
    try {
      await runStep(dataSource.current, { tx: held.tx, dryRun: true }, write('step-joined'));
      await held.commit();
    } catch (err) {
      await held.rollback();
      throw err;
    }
    // The dry run is the caller's to end: joined, the step neither commits nor rolls back.
    expect(await setting('step-joined')).toBe('written');
  });

  it('rolls back a step that fails', async () => {
    const failed = await runStep(dataSource.current, {}, async (tx) => {
      await write('step-failed')(tx);
      throw new Error('boom');
    }).catch((e: unknown) => e);
    expect((failed as Error).message).toBe('boom');
    expect(await setting('step-failed')).toBeUndefined();
  });
});
