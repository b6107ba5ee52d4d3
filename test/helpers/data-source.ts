import type { DataSource } from 'typeorm';
import { afterAll, beforeAll } from 'vitest';

import { openDataSource } from '../../src/db/data-source.ts';
import type { TestDatabase } from './database.ts';

/** A TypeORM DataSource on the file's test database, as services receive it. */
export function useDataSource(db: TestDatabase): { readonly current: DataSource } {
  let dataSource: DataSource | null = null;
  beforeAll(async () => {
    dataSource = await openDataSource(db.url, { poolSize: 4 });
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });
  return {
    get current() {
      if (!dataSource) throw new Error('The data source is only available inside tests and hooks');
      return dataSource;
    },
  };
}
