import { describe, expect, it } from 'vitest';

import { entities } from '../../src/entities/index.ts';
import { useDataSource } from '../helpers/data-source.ts';
import { useTestDatabase } from '../helpers/database.ts';

const db = useTestDatabase();
const dataSource = useDataSource(db);

/** The entities' column types as information_schema spells them. */
const DATA_TYPE: Record<string, string> = {
  integer: 'integer',
  text: 'text',
  boolean: 'boolean',
  numeric: 'numeric',
  date: 'date',
  timestamptz: 'timestamp with time zone',
  jsonb: 'jsonb',
};

interface Described {
  type: string;
  nullable: boolean;
  /** Computed by the database (a generated column): the entity must never write it. */
  generated: boolean;
}

describe('the entities', () => {
  it('match the migrated schema: every column, its type, its nullability', async () => {
    const tables = entities.map((entity) => dataSource.current.getMetadata(entity).tableName);
    const rows = await db.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: 'YES' | 'NO';
      is_generated: string;
    }>(
      `select table_name, column_name, data_type, is_nullable, is_generated from information_schema.columns
        where table_schema = 'public' and table_name = any($1::text[])`,
      [tables],
    );
    const schema: Record<string, Record<string, Described>> = {};
    for (const r of rows) {
      (schema[r.table_name] ??= {})[r.column_name] = {
        type: r.data_type,
        nullable: r.is_nullable === 'YES',
        generated: r.is_generated === 'ALWAYS',
      };
    }
    const declared: Record<string, Record<string, Described>> = {};
    for (const entity of entities) {
      const metadata = dataSource.current.getMetadata(entity);
      const columns: Record<string, Described> = {};
      for (const column of metadata.columns) {
        const type = typeof column.type === 'string' ? column.type : String(column.type);
        columns[column.databaseName] = {
          type: DATA_TYPE[type] ?? `unmapped ${type}`,
          nullable: column.isNullable,
          generated: !column.isInsert && !column.isUpdate,
        };
      }
      declared[metadata.tableName] = columns;
    }
    for (const table of tables) {
      expect(schema[table], `table ${table} exists`).toBeDefined();
      const migrated = Object.fromEntries(
        Object.keys(declared[table]!).map((column) => [column, schema[table]![column]]),
      );
      expect(declared[table], `entity of ${table}`).toEqual(migrated);
    }
  });

  it('declare every column of the tables they map that has no default', async () => {
    // A column an entity leaves out must be one the database fills: an insert through the
    // entity would fail otherwise.
    for (const entity of entities) {
      const metadata = dataSource.current.getMetadata(entity);
      const mapped = new Set(metadata.columns.map((c) => c.databaseName));
      const required = await db.query<{ column_name: string }>(
        `select column_name from information_schema.columns
          where table_schema = 'public' and table_name = $1 and is_nullable = 'NO'
            and column_default is null and is_generated = 'NEVER' and is_identity = 'NO'`,
        [metadata.tableName],
      );
      expect(
        required.map((r) => r.column_name).filter((c) => !mapped.has(c)),
        `unmapped required columns of ${metadata.tableName}`,
      ).toEqual([]);
    }
  });
});
