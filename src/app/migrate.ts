import { migrateUp } from '../db/migrate.ts';
import { discoverProtection } from '../services/protection/discover.ts';

/**
 * Every migrate ends by completing the protection spec from the catalog (new tables, new foreign
 * keys), under the migration lock; the migrator itself knows nothing of the spec.
 */
export function migrate(url: string): Promise<number[]> {
  return migrateUp(url, async (db) => {
    try {
      await discoverProtection(db);
    } catch (err) {
      throw new Error(`Discovering the protection spec failed: ${(err as Error).message}`, { cause: err });
    }
  });
}
