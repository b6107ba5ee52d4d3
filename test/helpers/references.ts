import { loadProtectionSpec } from '../../src/services/protection/spec.ts';
import { rowKeyColumn } from '../../src/services/snapshots/reference-context.ts';
import type { TestApp } from './app.ts';

/** Every protected reference of every user row: `reference/rowId` → value. */
export async function userReferences(t: TestApp): Promise<Map<string, string | null>> {
  const refs = new Map<string, string | null>();
  for (const ref of await loadProtectionSpec(t.app.db.manager)) {
    const key = await rowKeyColumn(t.app.db.manager, ref.sourceTable);
    const rows = await t.db.query<{ id: string; value: string | null }>(
      `select "${key}"::text as id, "${ref.sourceColumn}"::text as value from "${ref.sourceTable}"
        where ${ref.rowFilter ?? 'true'}`,
    );
    for (const row of rows) refs.set(`${ref.name}/${row.id}`, row.value);
  }
  return refs;
}
