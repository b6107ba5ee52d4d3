import type { PoolClient } from 'pg';

import { sqlState } from '../../errors.ts';
import { logger } from '../../logger.ts';

/** Fewest rows for which checking foreign keys once beats checking them row by row. */
export const BULK_INSERT_MIN_ROWS = 10_000;

const LOCK_NOT_AVAILABLE = '55P03';

interface ForeignKey {
  name: string;
  definition: string;
  referenced: string;
}

/**
 * Runs `insert` (an INSERT into `table`) and returns its row count. PostgreSQL checks a foreign key
 * once per inserted row, which for a first load of a million players is most of the statement's
 * time. So, when the caller expects a bulk load, the table's foreign keys are dropped and added back
 * around the INSERT inside a savepoint of the caller's transaction: adding a key checks every row in
 * one join, a violation fails the whole import, and no other session ever sees the table without
 * them. The price is an ACCESS EXCLUSIVE lock on the table and the tables it references until the
 * transaction ends; it is taken with NOWAIT, so when anyone is using those tables the insert runs
 * the ordinary way instead of queueing behind (and then blocking) them.
 */
export async function insertRows(
  client: PoolClient,
  table: string,
  insert: string,
  bulk: boolean,
): Promise<{ rows: number; bulk: boolean }> {
  const plain = async () => ({ rows: (await client.query(insert)).rowCount ?? 0, bulk: false });
  if (!bulk) return plain();
  // Names come quoted from the catalog, never from input.
  const { rows } = await client.query<ForeignKey & { relation: string }>(
    `select format('%I', c.conname) as name, pg_get_constraintdef(c.oid) as definition,
            c.confrelid::regclass::text as referenced, c.conrelid::regclass::text as relation
       from pg_constraint c
      where c.conrelid = $1::regclass and c.contype = 'f'
      order by c.conname`,
    [table],
  );
  if (rows.length === 0) return plain();
  const relation = rows[0]!.relation;

  await client.query('savepoint bpetl_bulk_insert');
  try {
    const locked = [relation, ...new Set(rows.map((fk) => fk.referenced))];
    await client.query(`lock table ${locked.join(', ')} in access exclusive mode nowait`);
  } catch (err) {
    await client.query('rollback to savepoint bpetl_bulk_insert');
    await client.query('release savepoint bpetl_bulk_insert');
    if (sqlState(err) !== LOCK_NOT_AVAILABLE) throw err;
    logger.info({ table }, 'bulk insert: tables in use, checking foreign keys row by row');
    return plain();
  }
  await client.query(`alter table ${relation} ${rows.map((fk) => `drop constraint ${fk.name}`).join(', ')}`);
  const inserted = (await client.query(insert)).rowCount ?? 0;
  await client.query(
    `alter table ${relation} ${rows.map((fk) => `add constraint ${fk.name} ${fk.definition}`).join(', ')}`,
  );
  await client.query('release savepoint bpetl_bulk_insert');
  return { rows: inserted, bulk: true };
}
