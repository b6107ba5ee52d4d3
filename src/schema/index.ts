import './scalars.ts';
import './error.ts';
import './league.ts';
import './club.ts';
import './series.ts';
import './team.ts';
import './constraints.ts';
import './import-warning.ts';
import './pipeline.ts';
import './snapshot.ts';
import './restore.ts';
import './orphan.ts';
import './retention.ts';
import './protection.ts';
import './health.ts';
import './repair.ts';
import './quarantine.ts';
import './log-finding.ts';

import { lexicographicSortSchema } from 'graphql';

import { builder } from './builder.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
