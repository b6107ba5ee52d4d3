import type { DataSource, EntityManager } from 'typeorm';

import { type Db, withTransaction } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';

/** One change the tool made to an application table (a row of bpetl.schema_changes). */
export interface SchemaChange {
  id: number;
  /** ADD_COLUMN (a `bpetl_id`), ADD_CONSTRAINT (a `bpetl_…` key), ALTER_FOREIGN_KEY (CASCADE → NO ACTION). */
  kind: 'ADD_COLUMN' | 'ADD_CONSTRAINT' | 'ALTER_FOREIGN_KEY';
  table: string;
  /** The column or constraint concerned. */
  object: string;
  detail: string;
  createdAt: Date;
  /** When an operator took it back (`undoSchemaChange`); repairConstraints does not make it again. */
  undoneAt: Date | null;
}

interface Row {
  id: string;
  kind: SchemaChange['kind'];
  table_name: string;
  object_name: string;
  detail: string;
  undo_sql: string;
  created_at: Date;
  undone_at: Date | null;
}

function toChange(r: Row): SchemaChange {
  return {
    id: Number(r.id),
    kind: r.kind,
    table: r.table_name,
    object: r.object_name,
    detail: r.detail,
    createdAt: r.created_at,
    undoneAt: r.undone_at,
  };
}

/** Every recorded change to an application table, newest first. */
export async function listSchemaChanges(db: Db): Promise<SchemaChange[]> {
  const rows: Row[] = await db.query(`select * from bpetl.schema_changes order by id desc`);
  return rows.map(toChange);
}

/** The foreign key's ON DELETE action as the spec spells it, per referencing column. */
const ON_DELETE_SQL = `case c.confdeltype when 'a' then 'NO ACTION' when 'r' then 'RESTRICT' when 'c' then 'CASCADE'
                                         when 'n' then 'SET NULL' when 'd' then 'SET DEFAULT' end`;

/**
 * Takes back one change on its own, with the statement recorded beside it (the one `migrate --down
 * 0` runs): an ON DELETE CASCADE that repairConstraints made NO ACTION is CASCADE again, a
 * constraint it added is dropped. The change stays in the record, marked undone, and
 * repairConstraints does not make it again (validateConstraints still reports what it means).
 * A `bpetl_id` column is refused: it names the table's rows in orphan events and repairs, and goes
 * only with the whole tool (`migrate --down 0`).
 */
export async function undoSchemaChange(
  dataSource: DataSource,
  id: number,
  options: { manager?: EntityManager } = {},
): Promise<SchemaChange> {
  return withTransaction(dataSource, options.manager, async (tx) => {
    const [row]: Row[] = await tx.query(`select * from bpetl.schema_changes where id = $1 for update`, [id]);
    if (!row) throw new AppError('NOT_FOUND', `No schema change with id ${id}`, { field: 'id', id });
    if (row.undone_at) {
      throw new AppError(
        'INVALID_INPUT',
        `Schema change ${id} was already undone at ${row.undone_at.toISOString()}`,
        { field: 'id', id },
      );
    }
    if (row.kind === 'ADD_COLUMN') {
      throw new AppError(
        'INVALID_INPUT',
        `Schema change ${id} (${row.detail}) cannot be undone on its own: the column names ${row.table_name} ` +
          'rows in orphan events and repairs; `bpetl migrate --down 0` removes it with the rest of the tool',
        { field: 'id', id },
      );
    }
    await tx.query(row.undo_sql);
    // What the spec says of the table's foreign keys follows the catalog again.
    await tx.query(
      `update bpetl.protected_references p
          set on_delete = (select ${ON_DELETE_SQL} from pg_constraint c
                            where c.contype = 'f' and c.conrelid = to_regclass(format('public.%I', p.source_table))
                              and c.confrelid = to_regclass(format('public.%I', p.target_table))
                              and c.conkey = array[(select a.attnum from pg_attribute a
                                                     where a.attrelid = c.conrelid and a.attname = p.source_column)]
                            order by c.confdeltype = 'c' desc, c.conname limit 1)
        where p.source_table = $1`,
      [row.table_name],
    );
    const [undone]: Row[] = await tx.query(
      `with u as (update bpetl.schema_changes set undone_at = now() where id = $1 returning *) select * from u`,
      [id],
    );
    return toChange(undone!);
  });
}
