import { AppError } from '../errors.ts';
import { resolveImportSource } from '../services/import/import-source.ts';
import type { ImportStats, TableCounts } from '../services/import/import-teams.ts';
import { importTeams } from '../services/import/import-teams.ts';
import { saveUpload } from '../services/import/upload.ts';
import { followRunEvents } from '../services/pipeline/follow.ts';
import { cancelPipeline, runPipeline } from '../services/pipeline/run-pipeline.ts';
import {
  getRun,
  listRuns,
  parseRunId,
  type PipelineEvent,
  type PipelineRun,
  RUN_STATUSES,
} from '../services/pipeline/runs.ts';
import type { Rejection } from '../sources/records.ts';
import { builder } from './builder.ts';
import { ErrorCodeEnum } from './error.ts';
import { ImportWarningType } from './import-warning.ts';

builder.scalarType('File', {
  description: 'A file sent in a multipart request (GraphQL multipart request spec).',
  serialize: () => {
    throw new AppError('INVALID_INPUT', 'File is an input type only');
  },
  parseValue: (value) => {
    // The fetch layer hands over its own File implementation: check the shape, not the class.
    const file = value as File | null;
    if (typeof file?.name !== 'string' || typeof file.stream !== 'function') {
      throw new AppError('INVALID_INPUT', 'upload must be a file part', { field: 'upload' });
    }
    return file;
  },
});

export const RunStatusEnum = builder.enumType('PipelineRunStatus', { values: RUN_STATUSES });

const RunErrorType = builder.objectRef<NonNullable<PipelineRun['error']>>('PipelineRunError').implement({
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code as AppError['code'] }),
    message: t.exposeString('message'),
    details: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.details ?? null }),
  }),
});

export const PipelineRunType = builder.objectRef<PipelineRun>('PipelineRun').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: RunStatusEnum }),
    dryRun: t.exposeBoolean('dryRun'),
    input: t.field({ type: 'JSON', resolve: (run) => run.input }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    stats: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'Per step: validate, snapshot, repair, import (counts per table), restore, orphans. A dry run’s plan.',
      resolve: (run) => run.stats,
    }),
    error: t.field({ type: RunErrorType, nullable: true, resolve: (run) => run.error }),
  }),
});

export const PipelineEventType = builder.objectRef<PipelineEvent>('PipelineEvent').implement({
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The event’s sequence number; pass it as `after` to resume.' }),
    runId: t.exposeID('runId'),
    step: t.exposeString('step'),
    status: t.exposeString('status'),
    done: t.exposeFloat('done', { nullable: true }),
    total: t.exposeFloat('total', { nullable: true }),
    message: t.exposeString('message'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const ImportInput = builder.inputType('ImportInput', {
  fields: (t) => ({
    source: t.string({
      required: false,
      description: 'A league feed directory or teams file, relative to BPETL_IMPORT_DIR.',
    }),
    upload: t.field({
      type: 'File',
      required: false,
      description: 'Instead of source: one teams file (.csv, .ndjson, .jsonl) sent as a multipart upload.',
    }),
    leagues: t.stringList({ required: false, description: 'Only these leagues (and they are refreshed).' }),
    dryRun: t.boolean({ required: false }),
    allowShrink: t.boolean({
      required: false,
      description: 'Let a league lose more than 25 % of its teams.',
    }),
  }),
});

type ImportArgs = {
  source?: string | null;
  upload?: File | null;
  leagues?: string[] | null;
  dryRun?: boolean | null;
  allowShrink?: boolean | null;
};

async function prepareSource(importDir: string, input: ImportArgs) {
  if (input.source && input.upload) {
    throw new AppError('INVALID_INPUT', 'give either source or upload, not both', { field: 'source' });
  }
  if (input.upload) {
    const saved = await saveUpload(input.upload);
    return { path: saved.path, root: undefined, label: input.upload.name, cleanup: saved.cleanup };
  }
  if (!input.source) throw new AppError('INVALID_INPUT', 'source or upload is required', { field: 'source' });
  const resolved = await resolveImportSource(importDir, input.source);
  return { path: resolved.path, root: resolved.root, label: input.source, cleanup: undefined };
}

const TableCountsType = builder.objectRef<TableCounts & { table: string }>('ImportTableCounts').implement({
  fields: (t) => ({
    table: t.exposeString('table'),
    inserted: t.exposeInt('inserted'),
    updated: t.exposeInt('updated'),
    unchanged: t.exposeInt('unchanged'),
    retired: t.exposeInt('retired'),
  }),
});

const RejectionType = builder.objectRef<Rejection>('ImportRejection').implement({
  fields: (t) => ({
    file: t.exposeString('file'),
    index: t.exposeInt('index', { description: '0-based position of the record in its file.' }),
    field: t.exposeString('field'),
    reason: t.exposeString('reason'),
    value: t.exposeString('value'),
  }),
});

const ImportResultType = builder.objectRef<ImportStats>('ImportResult').implement({
  fields: (t) => ({
    scope: t.exposeStringList('scope', { description: 'Leagues refreshed.' }),
    dryRun: t.exposeBoolean('dryRun'),
    rejected: t.exposeInt('rejected'),
    rejections: t.field({ type: [RejectionType], resolve: (s) => s.rejections }),
    duplicates: t.exposeInt('duplicates', {
      description: 'Records dropped because an earlier record of the source has the same natural key.',
    }),
    tables: t.field({
      type: [TableCountsType],
      resolve: (s) => Object.entries(s.tables).map(([table, counts]) => ({ table, ...counts })),
    }),
    records: t.field({ type: 'JSON', resolve: (s) => s.records }),
    shrink: t.field({ type: 'JSON', resolve: (s) => s.shrink }),
    playerShrink: t.field({
      type: 'JSON',
      description:
        'Per league whose players the source lists: active players, and how many it no longer lists.',
      resolve: (s) => s.playerShrink,
    }),
    warnings: t.field({ type: [ImportWarningType], resolve: (s) => s.warnings }),
    teamsFromPlayers: t.exposeStringList('teamsFromPlayers', {
      description: 'Leagues whose teams came from the players file: the source has no team list for them.',
    }),
    bulkLoaded: t.exposeStringList('bulkLoaded', {
      description:
        'Tables whose new rows were loaded in bulk: foreign keys checked once for all rows, under exclusive locks until commit.',
    }),
  }),
});

builder.queryField('pipelineRun', (t) =>
  t.field({
    type: PipelineRunType,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { app }) => getRun(app.db, parseRunId(String(args.id))),
  }),
);

builder.queryField('pipelineRuns', (t) =>
  t.field({
    type: [PipelineRunType],
    description: 'Newest first.',
    args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
    resolve: (_root, args, { app }) => listRuns(app.db, args.first ?? 20),
  }),
);

builder.mutationField('importTeams', (t) =>
  t.field({
    type: ImportResultType,
    description: 'Pipeline step 4 on its own, in its own transaction under the import lock.',
    errors: {},
    args: { input: t.arg({ type: ImportInput, required: true }) },
    resolve: async (_root, { input }, { app }) => {
      const source = await prepareSource(app.config.importDir, input);
      try {
        return await importTeams(app.db, {
          path: source.path,
          label: source.label,
          root: source.root,
          leagues: input.leagues ?? undefined,
          dryRun: input.dryRun ?? false,
          allowShrink: input.allowShrink ?? false,
        });
      } finally {
        await source.cleanup?.();
      }
    },
  }),
);

builder.mutationField('runPipeline', (t) =>
  t.field({
    type: PipelineRunType,
    description:
      'Starts all steps in one transaction; returns the run at once (follow it with pipelineProgress).',
    errors: {},
    args: { input: t.arg({ type: ImportInput, required: true }) },
    resolve: async (_root, { input }, { app }) => {
      const source = await prepareSource(app.config.importDir, input);
      return runPipeline(app, {
        ...source,
        leagues: input.leagues ?? undefined,
        dryRun: input.dryRun ?? false,
        allowShrink: input.allowShrink ?? false,
      });
    },
  }),
);

builder.mutationField('cancelPipeline', (t) =>
  t.field({
    type: PipelineRunType,
    description: 'Asks a run to stop; it rolls back at its next step or batch and ends CANCELLED.',
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { app }) => cancelPipeline(app, parseRunId(String(args.id))),
  }),
);

builder.subscriptionField('pipelineProgress', (t) =>
  t.field({
    type: PipelineEventType,
    description: 'Stored events after the cursor, then live ones; completes when the run ends.',
    args: { runId: t.arg.id({ required: true }), after: t.arg.id({ required: false }) },
    subscribe: (_root, args, { app }) =>
      followRunEvents(app, parseRunId(String(args.runId)), args.after == null ? null : String(args.after)),
    resolve: (event) => event,
  }),
);
