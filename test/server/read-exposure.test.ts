import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../src/generator/index.ts';
import { maskSample } from '../../src/logs/mask.ts';
import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { relativePaths } from '../../src/server/relative-paths.ts';
import { createYogaServer } from '../../src/server/yoga.ts';
import { startPipeline } from '../../src/services/pipeline/run-pipeline.ts';
import { useTestApp } from '../helpers/app.ts';
import { recordIn } from '../helpers/log-findings.ts';

/**
 * What reads give away, asked through a real socket: no response names an absolute server path
 * (import and log paths are shown relative to their directory), and log samples hide e-mail
 * addresses and quoted literals unless BPETL_LOG_SAMPLES=raw.
 */
const importDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-exposure-imports-'));
const logDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-exposure-logs-'));
const outside = await mkdtemp(path.join(os.tmpdir(), 'bpetl-exposure-outside-'));
const t = useTestApp({ importDir, logPaths: [logDir] });
let http: HttpServer;

const RAW_SAMPLE =
  '2025-08-01 10:00:00 UTC [42] ERROR:  duplicate key value violates unique constraint "users_email_key"\n' +
  'DETAIL:  Key (email)=(alice.smith@example.org) already exists.\n' +
  "STATEMENT:  insert into users (email, name) values ('alice.smith@example.org', 'O''Brien')";

async function post<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ text: string; body: { data?: T; errors?: Array<{ message: string }> } }> {
  const res = await fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { text, body: JSON.parse(text) };
}

/** No absolute path of this machine's temporary directories in a response. */
function expectNoServerPath(text: string) {
  for (const dir of [importDir, logDir, outside, os.tmpdir()]) expect(text).not.toContain(dir);
}

beforeAll(async () => {
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  await writeLeagueFeed(path.join(importDir, 'feed'), { seed: 'exposure', teams: 12 });
  await writeLeagueFeed(path.join(outside, 'feed'), { seed: 'exposure', teams: 12 });
  // A feed whose teams file is a link pointing out of the import directory.
  await mkdir(path.join(importDir, 'linked'));
  await writeLeagueFeed(path.join(importDir, 'linked'), { seed: 'exposure', teams: 12 });
  await rm(path.join(importDir, 'linked', 'series_stats.json'));
  await symlink(
    path.join(outside, 'feed', 'series_stats.json'),
    path.join(importDir, 'linked', 'series_stats.json'),
  );
  await writeFile(path.join(importDir, 'bad.ndjson'), '{"not": "a team"\n');
  await recordIn(
    t.db,
    [
      {
        category: 'CONSTRAINT_VIOLATION',
        fingerprint: 'exposure-1',
        count: 1,
        firstSeen: '2025-08-01T10:00:00.000Z',
        lastSeen: '2025-08-01T10:00:00.000Z',
        files: [path.join(logDir, 'postgresql.log'), path.join(logDir, 'old', 'postgresql.log.1')],
        sample: RAW_SAMPLE,
      },
    ],
    { merge: 'max', thresholds: {} },
  );
});
afterAll(async () => {
  await http?.close();
  for (const dir of [importDir, logDir, outside]) await rm(dir, { recursive: true, force: true });
});

describe('logFindings', () => {
  it('masks e-mail addresses and quoted literals in samples, and names files relative to the log directory', async () => {
    const { text, body } = await post<{ logFindings: Array<{ sample: string; files: string[] }> }>(
      '{ logFindings { sample files } }',
    );
    expectNoServerPath(text);
    expect(text).not.toContain('alice');
    expect(text).not.toContain('Brien');
    expect(body.data!.logFindings).toEqual([
      {
        files: ['old/postgresql.log.1', 'postgresql.log'],
        sample:
          '2025-08-01 10:00:00 UTC [42] ERROR:  duplicate key value violates unique constraint "users_email_key"\n' +
          'DETAIL:  Key (email)=(?) already exists.\n' +
          "STATEMENT:  insert into users (email, name) values ('?', '?')",
      },
    ]);
    // Stored as written: the database keeps what an operator may opt in to see.
    const [{ sample }] = await t.db.query<{ sample: string }>(`select sample from bpetl.log_findings`);
    expect(sample).toBe(RAW_SAMPLE);
  });

  it('shows samples as written with BPETL_LOG_SAMPLES=raw', async () => {
    const yoga = createYogaServer({ ...t.app, config: { ...t.app.config, logSamples: 'raw' } });
    const res = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ logFindings { sample files } }' }),
    });
    const body = (await res.json()) as { data: { logFindings: Array<{ sample: string; files: string[] }> } };
    expect(body.data.logFindings[0]).toEqual({
      sample: RAW_SAMPLE,
      files: ['old/postgresql.log.1', 'postgresql.log'],
    });
  });
});

describe('pipeline runs and errors name no absolute server path', () => {
  const RUNS = '{ pipelineRuns(first: 50) { id status input stats error { code message details } } }';

  async function waitForRuns() {
    for (;;) {
      const { body } = await post<{ pipelineRuns: Array<{ status: string }> }>(RUNS);
      if (body.data!.pipelineRuns.every((r) => !['QUEUED', 'RUNNING'].includes(r.status))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('runPipeline, importTeams and their failures: relative to BPETL_IMPORT_DIR', async () => {
    const run = async (source: string) => {
      const { text, body } = await post<{ runPipeline: { __typename: string; id?: string } }>(
        `mutation ($source: String!) { runPipeline(input: { source: $source, dryRun: true }) {
           __typename ... on PipelineRun { id } ... on Error { message code } ... on OperationError { details } } }`,
        { source },
      );
      expectNoServerPath(text);
      await waitForRuns();
      return body.data!.runPipeline;
    };
    expect(await run('feed')).toMatchObject({ __typename: 'PipelineRun' });
    expect(await run('./linked')).toMatchObject({ __typename: 'PipelineRun' });
    expect(await run('bad.ndjson')).toMatchObject({ __typename: 'PipelineRun' });
    for (const source of ['missing', '../outside', 'feed/../../x']) {
      expect((await run(source)).__typename).toBe('OperationError');
    }
    // An absolute path a client sends is refused naming it as sent, and nothing more.
    const absolute = await post(
      `mutation ($source: String!) { runPipeline(input: { source: $source }) {
      __typename ... on Error { message code } } }`,
      { source: path.join(outside, 'feed') },
    );
    expect(absolute.body.data).toEqual({
      runPipeline: {
        __typename: 'OperationError',
        code: 'INVALID_INPUT',
        message: `source "${path.join(outside, 'feed')}" is outside the import directory`,
      },
    });
    const imported = await post(
      `mutation { importTeams(input: { source: "linked", dryRun: true }) {
         __typename ... on Error { message code } ... on OperationError { details } } }`,
    );
    expectNoServerPath(imported.text);
    expect(imported.text).toMatch(/series_stats.json is a link that leads outside the import directory/);

    const { text, body } = await post<{
      pipelineRuns: Array<{ status: string; input: { source: string }; error: { message: string } | null }>;
    }>(RUNS);
    expectNoServerPath(text);
    const runs = body.data!.pipelineRuns;
    expect(runs.map((r) => r.input.source).sort()).toEqual(['./linked', 'bad.ndjson', 'feed']);
    expect(runs.find((r) => r.input.source === 'feed')!.status).toBe('SUCCEEDED');
    // The runs are stored with the client's spelling too, not only shown with it.
    const stored = await t.db.query(`select input::text, stats::text, error::text from bpetl.pipeline_runs`);
    expect(JSON.stringify(stored)).not.toContain(importDir);
    expect(runs.find((r) => r.input.source === './linked')!.error!.message).toMatch(
      /series_stats.json is a link/,
    );
  });

  it('a run started from the command line keeps its source as the operator spelled it', async () => {
    // The CLI passes the path as typed for stats and messages; it is never resolved to an absolute one.
    const given = path.relative(process.cwd(), path.join(outside, 'feed'));
    const started = await startPipeline(t.app, {
      path: path.join(outside, 'feed'),
      label: given,
      dryRun: true,
    });
    await started.finished;
    const { text, body } = await post<{ pipelineRun: { input: { source: string } } }>(
      `query ($id: ID!) { pipelineRun(id: $id) { input stats error { message } } }`,
      { id: started.run.id },
    );
    expect(body.data!.pipelineRun.input.source).toBe(given);
    expect(text).not.toContain(`"${path.join(outside, 'feed')}`);
    expectNoServerPath(text.replaceAll(given, 'as-given'));
  });
});

describe('relativePaths', () => {
  it('rewrites whole paths under the import and log directories, nothing else', () => {
    const rewrite = relativePaths({
      importDir: '/srv/imports',
      logPaths: ['/var/log/pg/*.log', '/var/log/app.log'],
    });
    expect(
      rewrite(
        "open '/srv/imports/feed/teams.json' failed; /srv/imports; /srv/imports-old/x; " +
          '/var/log/pg/postgresql.log, /var/log/app.log, /etc/passwd',
      ),
    ).toBe("open 'feed/teams.json' failed; .; /srv/imports-old/x; postgresql.log, app.log, /etc/passwd");
  });
});

describe('maskSample', () => {
  it('masks e-mail addresses, string literals and key values; keeps identifiers and words', () => {
    expect(
      maskSample(
        '{"level":50,"msg":"upsert failed for bob.smith+x@mail.example.com","sql":"select $$secret$$, E\'it\\\'s\', $q$x$q$"}',
      ),
    ).toBe('{"level":50,"msg":"upsert failed for <email>","sql":"select $$?$$, \'?\', $$?$$"}');
    expect(
      maskSample(
        'ERROR: insert or update on table "polls" violates foreign key constraint "polls_team_fk" ' +
          'DETAIL: Key (team_id, league)=(12, \'A (b)\') is not present in table "teams".',
      ),
    ).toBe(
      'ERROR: insert or update on table "polls" violates foreign key constraint "polls_team_fk" ' +
        'DETAIL: Key (team_id, league)=(?) is not present in table "teams".',
    );
  });
});
