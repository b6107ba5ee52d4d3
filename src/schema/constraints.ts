import type { ConstraintRepairAction } from '../services/constraints/action.ts';
import type { ConstraintIssue } from '../services/constraints/issue.ts';
import type { ConstraintRepairResult } from '../services/constraints/repair.ts';
import { repairConstraints } from '../services/constraints/repair.ts';
import {
  listSchemaChanges,
  type SchemaChange,
  undoSchemaChange,
} from '../services/constraints/schema-changes.ts';
import { validateConstraints } from '../services/constraints/validate.ts';
import { builder } from './builder.ts';
import { parseEventId } from './orphan.ts';

export const SeverityEnum = builder.enumType('Severity', {
  values: ['CRITICAL', 'WARNING', 'INFO'] as const,
});

export const ConstraintCheckEnum = builder.enumType('ConstraintCheck', {
  values: [
    'MISSING_CONSTRAINT',
    'MISSING_FOREIGN_KEY',
    'DUPLICATE_KEY',
    'NULL_KEY',
    'ORPHANS',
    'CASCADE_REFERENCE',
    'UNPROTECTED_REFERENCE',
  ] as const,
});

export const ConstraintIssueType = builder.objectRef<ConstraintIssue>('ConstraintIssue').implement({
  fields: (t) => ({
    check: t.expose('check', { type: ConstraintCheckEnum }),
    severity: t.expose('severity', { type: SeverityEnum }),
    table: t.exposeString('table'),
    subject: t.exposeString('subject'),
    message: t.exposeString('message'),
    rows: t.exposeInt('rows'),
    fix: t.exposeString('fix', { description: 'The repairConstraints action (or repair) that fixes it.' }),
  }),
});

const ValidationReport = builder.objectRef<{ issues: ConstraintIssue[] }>('ValidationReport').implement({
  fields: (t) => ({
    ok: t.boolean({
      description: 'True when nothing CRITICAL was found.',
      resolve: ({ issues }) => !issues.some((i) => i.severity === 'CRITICAL'),
    }),
    issues: t.field({ type: [ConstraintIssueType], resolve: ({ issues }) => issues }),
  }),
});

builder.mutationField('validateConstraints', (t) =>
  t.field({
    type: ValidationReport,
    description: 'Pipeline step 1: checks natural keys, foreign keys and references. Changes nothing.',
    errors: {},
    resolve: async (_root, _args, { app }) => ({ issues: await validateConstraints(app.db.manager) }),
  }),
);

const ConstraintRepairKindEnum = builder.enumType('ConstraintRepairKind', {
  values: ['MERGE_DUPLICATES', 'ADD_CONSTRAINT', 'CHANGE_ON_DELETE', 'PROTECT_REFERENCE'] as const,
});

const ConstraintRepairActionType = builder
  .objectRef<ConstraintRepairAction>('ConstraintRepairAction')
  .implement({
    fields: (t) => ({
      kind: t.expose('kind', { type: ConstraintRepairKindEnum }),
      table: t.exposeString('table'),
      detail: t.exposeString('detail'),
      rows: t.exposeInt('rows'),
      changeId: t.exposeID('changeId', {
        nullable: true,
        description:
          'The recorded change to an application table (`schemaChanges`), which `undoSchemaChange(id)` takes back; null in a dry run.',
      }),
    }),
  });

const ConstraintRepairResultType = builder
  .objectRef<ConstraintRepairResult>('ConstraintRepairResult')
  .implement({
    fields: (t) => ({
      actions: t.field({ type: [ConstraintRepairActionType], resolve: (r) => r.actions }),
      dryRun: t.exposeBoolean('dryRun'),
    }),
  });

builder.mutationField('repairConstraints', (t) =>
  t.field({
    type: ConstraintRepairResultType,
    description:
      'Pipeline step 2: merges duplicate reference rows (dependents moved first), adds missing ' +
      'natural-key constraints and foreign keys, makes CASCADE on a protected reference NO ACTION and ' +
      'protects unprotected references. Idempotent; every action is recorded.',
    errors: {},
    args: { dryRun: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, { app }) => repairConstraints(app.db, { dryRun: args.dryRun ?? false }),
  }),
);

const SchemaChangeKindEnum = builder.enumType('SchemaChangeKind', {
  values: ['ADD_COLUMN', 'ADD_CONSTRAINT', 'ALTER_FOREIGN_KEY'] as const,
});

const SchemaChangeType = builder.objectRef<SchemaChange>('SchemaChange').implement({
  description:
    'A change the tool made to an application table, recorded with the statement that undoes it ' +
    '(`migrate --down 0` runs them all; `undoSchemaChange` one).',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.expose('kind', { type: SchemaChangeKindEnum }),
    table: t.exposeString('table'),
    object: t.exposeString('object', { description: 'The column or constraint.' }),
    detail: t.exposeString('detail'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    undoneAt: t.expose('undoneAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was undone; repairConstraints does not make it again.',
    }),
  }),
});

builder.queryField('schemaChanges', (t) =>
  t.field({
    type: [SchemaChangeType],
    description: 'Every change the tool made to application tables, newest first.',
    resolve: (_root, _args, { app }) => listSchemaChanges(app.db.manager),
  }),
);

builder.mutationField('undoSchemaChange', (t) =>
  t.field({
    type: SchemaChangeType,
    description:
      'Takes back one recorded change (a CASCADE made NO ACTION is CASCADE again, an added constraint ' +
      'is dropped); repairConstraints does not make it again. A bpetl_id column is refused.',
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { app }) => undoSchemaChange(app.db, parseEventId(args.id, 'id')!),
  }),
);
