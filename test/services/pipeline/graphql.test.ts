import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed, writeTeamsCsv } from '../../../src/generator/index.ts';
import { useTestApp } from '../../helpers/app.ts';
import { RUN_LOG, RUN_RECORD, tableChecksums } from '../../helpers/checksums.ts';

const importDir = mkdtempSync(path.join(os.tmpdir(), 'bpetl-imports-'));
const outside = mkdtempSync(path.join(os.tmpdir(), 'bpetl-outside-'));
const t = useTestApp({ importDir });

beforeAll(async () => {
  await writeLeagueFeed(path.join(importDir, 'feed'), { seed: 'graphql', teams: 120 });
  await writeTeamsCsv(path.join(outside, 'teams.csv'), { seed: 'graphql', teams: 40 });
  mkdirSync(path.join(importDir, 'nested'));
  symlinkSync(outside, path.join(importDir, 'nested', 'escape'));
  writeFileSync(path.join(importDir, 'broken.ndjson'), '{"league": "APTA", "club": \n');
});

const RUN = `mutation ($input: ImportInput!) {
  runPipeline(input: $input) {
    __typename
    ... on PipelineRun { id status dryRun }
    ... on Error { code message }
    ... on OperationError { details }
  }
}`;

const IMPORT = `mutation ($input: ImportInput!) {
  importTeams(input: $input) {
    __typename
    ... on ImportResult { scope dryRun rejected duplicates bulkLoaded tables { table inserted updated unchanged retired } }
    ... on Error { code message }
  }
}`;

async function readSse(runId: string, after?: string): Promise<Array<Record<string, unknown>>> {
  const response = await t.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `subscription ($runId: ID!, $after: ID) {
        pipelineProgress(runId: $runId, after: $after) { id runId step status done total message at }
      }`,
      variables: { runId, after },
    }),
  });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as { data?: { pipelineProgress: Record<string, unknown> } })
    .filter((message) => message.data)
    .map((message) => message.data!.pipelineProgress);
}

describe('pipeline over GraphQL', () => {
  it('runPipeline returns the run at once; pipelineProgress replays and completes with the run', async () => {
    const result = await t.graphql<{ runPipeline: { id: string; status: string; __typename: string } }>(RUN, {
      input: { source: 'feed' },
    });
    expect(result.data?.runPipeline.__typename, JSON.stringify(result)).toBe('PipelineRun');
    expect(result.data!.runPipeline.status).toBe('RUNNING');
    const events = await readSse(result.data!.runPipeline.id);
    expect(events.at(-1)).toMatchObject({ step: 'run', status: 'SUCCEEDED' });
    expect(events.filter((e) => e.status === 'DONE').map((e) => e.step)).toEqual([
      'validate',
      'snapshot',
      'repair',
      'import',
      'restore',
      'verify',
    ]);
    // Resuming after an event replays only what followed it.
    const resumed = await readSse(result.data!.runPipeline.id, String(events[2]!.id));
    expect(resumed.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));

    const run = await t.graphql<{ pipelineRun: { status: string; stats: { import: { tables: unknown } } } }>(
      `query ($id: ID!) { pipelineRun(id: $id) { status finishedAt stats error { code } } }`,
      { id: result.data!.runPipeline.id },
    );
    expect(run.data?.pipelineRun.status).toBe('SUCCEEDED');
    const runs = await t.graphql<{ pipelineRuns: Array<{ id: string }> }>(
      `{ pipelineRuns(first: 5) { id } }`,
    );
    expect(runs.data?.pipelineRuns[0]!.id).toBe(result.data!.runPipeline.id);
  });

  it('importTeams re-imports the same feed with nothing updated', async () => {
    const before = await tableChecksums(t.db, RUN_LOG);
    const result = await t.graphql<{
      importTeams: {
        bulkLoaded: string[];
        duplicates: number;
        tables: Array<{ table: string; inserted: number; updated: number; retired: number }>;
      };
    }>(IMPORT, { input: { source: 'feed' } });
    const tables = result.data?.importTeams.tables;
    expect(tables, JSON.stringify(result)).toBeDefined();
    expect(result.data?.importTeams.bulkLoaded).toEqual([]);
    // The same feed as the pipeline run before: the same records dropped as repeats.
    const last = await t.graphql<{ pipelineRuns: Array<{ stats: { import: { duplicates: number } } }> }>(
      `{ pipelineRuns(first: 1) { stats } }`,
    );
    expect(result.data?.importTeams.duplicates).toBeGreaterThan(0);
    expect(result.data?.importTeams.duplicates).toBe(last.data?.pipelineRuns[0]!.stats.import.duplicates);
    expect(tables!.map((x) => x.table).sort()).toEqual([
      'clubLeagues',
      'clubs',
      'fixtures',
      'leagues',
      'players',
      'series',
      'seriesLeagues',
      'seriesStats',
      'teams',
    ]);
    for (const table of tables!) {
      expect({ ...table, unchanged: 0 }).toMatchObject({ inserted: 0, updated: 0, retired: 0 });
    }
    expect(await tableChecksums(t.db, RUN_LOG)).toEqual(before);
  });

  it.each([
    ['..', 'INVALID_INPUT'],
    ['../etc', 'INVALID_INPUT'],
    ['/etc', 'INVALID_INPUT'],
    ['nested/escape', 'INVALID_INPUT'],
    ['nested/escape/teams.csv', 'INVALID_INPUT'],
    ['missing', 'SOURCE_UNREADABLE'],
  ])('refuses source %s with %s and writes nothing', async (source, code) => {
    const before = await tableChecksums(t.db);
    const result = await t.graphql<{ importTeams: { code: string; message: string } }>(IMPORT, {
      input: { source },
    });
    expect(result.data?.importTeams, JSON.stringify(result)).toMatchObject({ code });
    const started = await t.graphql<{ runPipeline: { code: string } }>(RUN, { input: { source } });
    expect(started.data?.runPipeline.code).toBe(code);
    // Refused before a run is even recorded: no table, the run log included, changed.
    expect(await tableChecksums(t.db)).toEqual(before);
  });

  it('a malformed source fails the step at once, and a run of it ends FAILED naming the file', async () => {
    const before = await tableChecksums(t.db, RUN_RECORD);
    const result = await t.graphql<{ importTeams: { code: string; message: string } }>(IMPORT, {
      input: { source: 'broken.ndjson' },
    });
    expect(result.data?.importTeams.code).toBe('INVALID_INPUT');
    expect(result.data?.importTeams.message).toContain('broken.ndjson');
    const started = await t.graphql<{ runPipeline: { id: string } }>(RUN, {
      input: { source: 'broken.ndjson' },
    });
    const events = await readSse(started.data!.runPipeline.id);
    expect(events.at(-1)).toMatchObject({ step: 'run', status: 'FAILED' });
    expect(String(events.at(-1)!.message)).toContain('INVALID_INPUT');
    expect(await tableChecksums(t.db, RUN_RECORD)).toEqual(before);
  });

  it('accepts a teams file upload (multipart) for a dry run', async () => {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: IMPORT,
        variables: { input: { upload: null, dryRun: true, allowShrink: true } },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.input.upload'] }));
    form.set(
      '0',
      new File([readFileSync(path.join(outside, 'teams.csv'))], 'teams.csv', { type: 'text/csv' }),
    );
    const response = await t.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      body: form,
      headers: { 'graphql-require-preflight': '1' },
    });
    const body = (await response.json()) as {
      data?: { importTeams: { __typename: string; dryRun: boolean } };
    };
    expect(body.data?.importTeams, JSON.stringify(body)).toMatchObject({
      __typename: 'ImportResult',
      dryRun: true,
    });
  });

  it('cancelPipeline of an unknown run is NOT_FOUND', async () => {
    const result = await t.graphql<{ cancelPipeline: { code: string } }>(
      `mutation { cancelPipeline(id: "999999") { ... on Error { code } } }`,
    );
    expect(result.data?.cancelPipeline.code).toBe('NOT_FOUND');
  });
});
