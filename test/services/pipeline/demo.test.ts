import { describe, expect, it } from 'vitest';

import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { DEMO_SETTING, loadDemo, loadDemoIfEmpty } from '../../../src/services/pipeline/demo.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();

describe('demo data', () => {
  it('loads through the pipeline into an empty database once, and never again', async () => {
    const first = await loadDemoIfEmpty(t.app);
    expect(first?.run.status).toBe('SUCCEEDED');
    expect(first?.userData?.total).toBeGreaterThan(100);
    const [{ n }] = await t.db.query<{ n: number }>('select count(*)::int as n from teams');
    expect(n).toBeGreaterThan(250);
    expect(await t.db.query('select key from bpetl.settings where key = $1', [DEMO_SETTING])).toHaveLength(1);
    expect((await scanOrphans(t.app.db.manager)).total).toBe(0);

    expect(await loadDemoIfEmpty(t.app)).toBeNull();
  });

  it('a second explicit demo refreshes the same feed without seeding users twice', async () => {
    const [{ n: users }] = await t.db.query<{ n: number }>('select count(*)::int as n from users');
    const again = await loadDemo(t.app);
    expect(again.userData).toBeNull();
    const tables = (
      again.run.stats as { import: { tables: Record<string, { inserted: number; updated: number }> } }
    ).import.tables;
    expect(tables.teams).toMatchObject({ inserted: 0, updated: 0 });
    expect(await t.db.query('select count(*)::int as n from users')).toEqual([{ n: users }]);
  });
});
