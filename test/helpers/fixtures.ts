import path from 'node:path';

/** The real feeds shared beside the project; read in place, never copied. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures');

export function fixtureFeed(snapshot: '2025-06-21' | '2025-06-30'): string {
  return path.join(FIXTURES_DIR, 'leagues', snapshot);
}
