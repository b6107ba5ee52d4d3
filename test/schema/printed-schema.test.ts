import { readFileSync } from 'node:fs';

import { printSchema, validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';

import { schema } from '../../src/schema/index.ts';

describe('schema.graphql', () => {
  it('is a valid schema', () => {
    expect(validateSchema(schema).map((e) => e.message)).toEqual([]);
  });

  it('matches the schema the server serves (run `npm run schema:print` after changing the schema)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });
});
