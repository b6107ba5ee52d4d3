import type { PoolClient } from 'pg';

import { sqlState } from '../../errors.ts';
import { logger } from '../../logger.ts';

/** Fewest rows for which checking foreign keys once beats checking them row by row. */
export const BULK_INSERT_MIN_ROWS = 10_000;

const LOCK_NOT_AVAILABLE = '55P03';
const FOREIGN_KEY_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';

interface Dropped {
  drop: string;
  create: string;
}

export interface InsertMode {
  /** Many rows for the table's size: worth dropping and re-adding its foreign keys. */
  bulk: boolean;
  /** The table is empty: its secondary indexes are cheaper built after the load than during it. */
  empty: boolean;
}

/**
 * Runs `insert` (an INSERT into `table`) and returns its row count. PostgreSQL checks a foreign key
 * once per inserted row, which for a first load of a million players is most of the statement's
 * time. So, for a bulk load, the table's foreign keys (and, into an empty table, its secondary
 * indexes and unique constraints) are dropped and added back around the INSERT inside a savepoint
 * of the caller's transaction: adding a key checks every row in one join, and no other session
 * ever sees the table without them. When a key cannot be added back (a row breaks it), the
 * savepoint is rolled back and the rows are inserted the ordinary way, which checks only them. The
 * price is an ACCESS EXCLUSIVE lock on the table and the tables it references until the transaction
 * ends; it is taken with NOWAIT, so when anyone is using those tables the insert runs the ordinary
 * way instead of queueing behind (and then blocking) them.
 */
export async function insertRows(
  client: PoolClient,
  table: string,
  insert: string,
  mode: InsertMode,
): Promise<{ rows: number; bulk: boolean }> {
  const plain = async () => ({ rows: (await client.query(insert)).rowCount ?? 0, bulk: false });
  if (!mode.bulk) return plain();
  const { relation, referenced, dropped } = await droppable(client, table, mode.empty);
  if (dropped.length === 0) return plain();

  await client.query('savepoint bpetl_bulk_insert');
  try {
    await client.query(`lock table ${[relation, ...referenced].join(', ')} in access exclusive mode nowait`);
  } catch (err) {
    await client.query('rollback to savepoint bpetl_bulk_insert');
    await client.query('release savepoint bpetl_bulk_insert');
    if (sqlState(err) !== LOCK_NOT_AVAILABLE) throw err;
    logger.info({ table }, 'bulk insert: tables in use, checking foreign keys row by row');
    return plain();
  }
  let inserted: number;
  try {
    for (const { drop } of dropped) await client.query(drop);
    inserted = (await client.query(insert)).rowCount ?? 0;
    // Indexes and unique constraints first, so the foreign keys are checked against a complete table.
    for (const { create } of [...dropped].reverse()) await client.query(create);
  } catch (err) {
    const state = sqlState(err);
    if (state !== FOREIGN_KEY_VIOLATION && state !== UNIQUE_VIOLATION) throw err;
    // Adding a key back checks the whole table, so rows that already broke it (a database damaged
    // before this import) fail it too. Undo everything and insert the ordinary way: only the new
    // rows are checked then, and a new row at fault is reported as the INSERT reports it.
    await client.query('rollback to savepoint bpetl_bulk_insert');
    await client.query('release savepoint bpetl_bulk_insert');
    logger.warn(
      { table, constraint: (err as { constraint?: string }).constraint },
      'bulk insert: a key could not be added back over the whole table; inserting row by row',
    );
    return plain();
  }
  await client.query('release savepoint bpetl_bulk_insert');
  return { rows: inserted, bulk: true };
}

/**
 * The table's foreign keys, then (when `withIndexes`) its secondary indexes: each as the statement
 * dropping it and the one re-creating it exactly, names and definitions from the catalog, never
 * from input. The primary key, and any index a foreign key of another table relies on, stay.
 */
async function droppable(
  client: PoolClient,
  table: string,
  withIndexes: boolean,
): Promise<{ relation: string; referenced: string[]; dropped: Dropped[] }> {
  const [{ relation }] = (
    await client.query<{ relation: string }>(`select $1::regclass::text as relation`, [table])
  ).rows as [{ relation: string }];
  const keys = (
    await client.query<{ name: string; definition: string; referenced: string }>(
      `select quote_ident(conname) as name, pg_get_constraintdef(oid) as definition,
              confrelid::regclass::text as referenced
         from pg_constraint where conrelid = $1::regclass and contype = 'f'
        order by conname`,
      [table],
    )
  ).rows;
  const dropped: Dropped[] = keys.map((fk) => ({
    drop: `alter table ${relation} drop constraint ${fk.name}`,
    create: `alter table ${relation} add constraint ${fk.name} ${fk.definition}`,
  }));
  if (withIndexes) {
    const indexes = (
      await client.query<{ index: string; constraint: string | null; definition: string }>(
        `select i.indexrelid::regclass::text as index, quote_ident(c.conname) as constraint,
                coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid)) as definition
           from pg_index i
           left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
          where i.indrelid = $1::regclass and not i.indisprimary
            and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid)
          order by 1`,
        [table],
      )
    ).rows;
    for (const index of indexes) {
      dropped.push(
        index.constraint
          ? {
              drop: `alter table ${relation} drop constraint ${index.constraint}`,
              create: `alter table ${relation} add constraint ${index.constraint} ${index.definition}`,
            }
          : { drop: `drop index ${index.index}`, create: index.definition },
      );
    }
  }
  return { relation, referenced: [...new Set(keys.map((fk) => fk.referenced))], dropped };
}
