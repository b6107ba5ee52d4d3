// Writes the SDL the server serves to schema.graphql, so schema changes show up as reviewable diffs.
import { writeFileSync } from 'node:fs';

import { printSchema } from 'graphql';

import { schema } from '../src/schema/index.ts';

writeFileSync(new URL('../schema.graphql', import.meta.url), `${printSchema(schema)}\n`);
