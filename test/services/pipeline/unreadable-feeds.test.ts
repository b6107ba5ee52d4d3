import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { seedUserData } from '../../../src/generator/user-data.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { getRun, type PipelineRun } from '../../../src/services/pipeline/runs.ts';
import { openSource } from '../../../src/sources/open-source.ts';
import type { Rejection } from '../../../src/sources/records.ts';
import { useTestApp } from '../../helpers/app.ts';
import { runCli } from '../../helpers/cli.ts';
import { peakMemoryGrowth } from '../../server/raw-http.ts';

/**
 * Feeds whose bytes, characters or file types are hostile: each is refused or its records rejected
 * (with their byte offset), the run's stored record says what really happened, and no row of the
 * platform's tables changes.
 */
const importDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-unreadable-'));
const outside = await mkdtemp(path.join(os.tmpdir(), 'bpetl-unreadable-outside-'));
const t = useTestApp({ importDir });
const valid = path.join(importDir, 'valid');
let statsText: string;
let before: string;

async function checksum(): Promise<string> {
  const [{ sum }] = await t.db.query<{ sum: string }>(
    `select md5(concat_ws('|',
       (select string_agg(x::text, ',' order by x.id) from teams x),
       (select string_agg(x::text, ',' order by x.id) from clubs x),
       (select string_agg(x::text, ',' order by x.id) from series x),
       (select string_agg(x::text, ',' order by x.id) from players x),
       (select string_agg(x::text, ',' order by x.id) from schedule x),
       (select string_agg(x::text, ',' order by x.id) from polls x))) as sum`,
  );
  return sum;
}

/** A copy of the valid feed under the import directory, with files replaced. */
async function variant(
  name: string,
  files: Record<string, string | Buffer | ((file: string) => Promise<void>)>,
) {
  const target = path.join(importDir, name);
  await cp(valid, target, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(target, file);
    await rm(full, { force: true });
    if (typeof content === 'function') await content(full);
    else await writeFile(full, content);
  }
  return target;
}

/** series_stats.json with `extra` spliced in as raw text before the closing bracket. */
function statsWith(extra: Buffer): Buffer {
  const text = statsText.trimEnd();
  return Buffer.concat([Buffer.from(`${text.slice(0, -1)},`), extra, Buffer.from(']')]);
}

async function run(source: string, options: { root?: string; label?: string } = {}): Promise<PipelineRun> {
  const finished = await (await startPipeline(t.app, { path: source, ...options })).finished;
  // What this process says must be what is stored.
  expect(await getRun(t.app.db, finished.id)).toMatchObject({ status: finished.status });
  return finished;
}

/** The rejections a source's reader makes, without importing anything. */
async function rejectionsRead(file: string, label: string): Promise<Rejection[]> {
  const found: Rejection[] = [];
  for await (const item of (await openSource(file, { label })).items()) {
    if (item.kind === 'rejection') found.push(item.rejection);
  }
  return found;
}

function rejections(run: PipelineRun) {
  return (run.stats as { import: { rejections: Array<Record<string, unknown>> } }).import.rejections;
}

beforeAll(async () => {
  await writeLeagueFeed(valid, { seed: 'unreadable', teams: 40 });
  statsText = await readFile(path.join(valid, 'series_stats.json'), 'utf8');
  expect((await run(valid)).status).toBe('SUCCEEDED');
  await seedUserData(t.db.pool, { seed: 'unreadable' });
  expect((await run(valid)).status).toBe('SUCCEEDED');
  before = await checksum();
});
afterAll(async () => {
  await rm(importDir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('hostile bytes and files', () => {
  it('NUL characters: the record is rejected, the run is stored SUCCEEDED with its stats and final event', async () => {
    const [sample] = JSON.parse(statsText) as Array<Record<string, unknown>>;
    const source = await variant('nul', {
      'series_stats.json': statsWith(
        Buffer.from(
          `${JSON.stringify({ ...sample, team: 'Evil\u0000Club - 9' })},${JSON.stringify({ ...sample, ['key\u0000']: 1 })}`,
        ),
      ),
    });
    const result = await run(source);
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(rejections(result)).toEqual([
      expect.objectContaining({
        field: 'team',
        reason: expect.stringMatching(/NUL character/),
        value: 'Evil\\0Club - 9',
      }),
      expect.objectContaining({ field: 'key\\0', reason: expect.stringMatching(/field name holds a NUL/) }),
    ]);
    const [last] = await t.db.query<{ status: string }>(
      `select status from bpetl.pipeline_events where run_id = $1 order by id desc limit 1`,
      [result.id],
    );
    expect(last).toEqual({ status: 'SUCCEEDED' });
    expect(await checksum()).toBe(before);
  });

  it('bytes that are not UTF-8: rejected with the byte offset, never imported as a new club', async () => {
    const [sample] = JSON.parse(statsText) as Array<Record<string, unknown>>;
    const [head, tail] = JSON.stringify({ ...sample, team: 'Caf@ - 9' }).split('@') as [string, string];
    const stats = statsWith(Buffer.concat([Buffer.from(head), Buffer.from([0xe9, 0xff]), Buffer.from(tail)]));
    const result = await run(await variant('latin1', { 'series_stats.json': stats }));
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(rejections(result)).toEqual([
      expect.objectContaining({
        field: 'team',
        reason: `value holds bytes that are not UTF-8 (first at byte ${stats.indexOf(0xe9)})`,
        value: 'Caf\\xe9\\xff - 9',
        offset: stats.indexOf(0xe9),
      }),
    ]);
    expect(await checksum()).toBe(before);
  });

  it('teams files with bytes that are not UTF-8 or NUL: NDJSON and CSV records rejected with offsets', async () => {
    const good = 'APTA_CHICAGO,Tennaqua,Chicago 22,Tennaqua - 22\n';
    const csv = Buffer.concat([
      Buffer.from(`league,club,series,team_name\n${good}`),
      Buffer.from('APTA_CHICAGO,Caf'),
      Buffer.from([0xe9]),
      Buffer.from(',Chicago 22,Cafe - 22\nAPTA_CHICAGO,Nul\u0000,Chicago 22,Nul - 22\n'),
    ]);
    await writeFile(path.join(importDir, 'bad.csv'), csv);
    const ndjsonLine = Buffer.concat([
      Buffer.from('{"league":"APTA_CHICAGO","club":"Caf'),
      Buffer.from([0xc3]),
      Buffer.from('","series":"Chicago 22","team_name":"Cafe - 22"}\n'),
    ]);
    const ndjson = Buffer.concat([
      Buffer.from(
        '{"league":"APTA_CHICAGO","club":"Tennaqua","series":"Chicago 22","team_name":"Tennaqua - 22"}\n',
      ),
      ndjsonLine,
    ]);
    await writeFile(path.join(importDir, 'bad.ndjson'), ndjson);
    const csvRejections = await rejectionsRead(path.join(importDir, 'bad.csv'), 'bad.csv');
    expect(csvRejections).toEqual([
      expect.objectContaining({
        file: 'bad.csv',
        index: 1,
        field: 'club',
        offset: csv.indexOf('APTA_CHICAGO,Caf'),
      }),
      expect.objectContaining({
        file: 'bad.csv',
        index: 2,
        field: 'club',
        reason: expect.stringMatching(/NUL/),
      }),
    ]);
    expect(await rejectionsRead(path.join(importDir, 'bad.ndjson'), 'bad.ndjson')).toEqual([
      expect.objectContaining({ file: 'bad.ndjson', index: 1, offset: ndjson.indexOf(0xc3) }),
    ]);
    expect(await checksum()).toBe(before);
  });

  it('a feed file that is a symlink out of the import directory is refused through the API', async () => {
    await cp(path.join(valid, 'players.json'), path.join(outside, 'players.json'));
    await variant('linked', {
      'players.json': (file) => symlink(path.join(outside, 'players.json'), file),
    });
    const res = await t.graphql<{ importTeams: { code?: string; message?: string } }>(
      `mutation { importTeams(input: { source: "linked", dryRun: true }) { ... on Error { code message } } }`,
    );
    expect(res.data?.importTeams).toEqual({
      code: 'INVALID_INPUT',
      message: 'players.json is a link that leads outside the import directory',
    });
    expect(await checksum()).toBe(before);
  });

  it('a FIFO as a feed file or a teams file is SOURCE_UNREADABLE at once', async () => {
    await variant('fifo', { 'players.json': async (file) => void execFileSync('mkfifo', [file]) });
    execFileSync('mkfifo', [path.join(importDir, 'teams.ndjson')]);
    for (const source of ['fifo', 'teams.ndjson']) {
      const res = await t.graphql<{ importTeams: { code?: string; message?: string } }>(
        `mutation ($s: String!) { importTeams(input: { source: $s, dryRun: true }) { ... on Error { code message } } }`,
        { s: source },
      );
      expect(res.data?.importTeams).toEqual({
        code: 'SOURCE_UNREADABLE',
        message: expect.stringMatching(/is a FIFO, not a/),
      });
    }
    expect(await checksum()).toBe(before);
  });

  it('multi-GB sparse files without a line break: INVALID_INPUT with the byte offset, memory bounded', async () => {
    const GB = 1024 ** 3;
    await writeFile(path.join(importDir, 'endless.ndjson'), '');
    await truncate(path.join(importDir, 'endless.ndjson'), 3 * GB);
    const feed = await variant('endless-feed', { 'players.json': '[{"Last Name": "' });
    await truncate(path.join(feed, 'players.json'), 3 * GB);
    let ndjson: PipelineRun | undefined;
    let json: PipelineRun | undefined;
    const growth = await peakMemoryGrowth(async () => {
      ndjson = await run(path.join(importDir, 'endless.ndjson'), { label: 'endless.ndjson' });
      json = await run(feed, { label: 'endless-feed' });
    });
    expect(ndjson!.status).toBe('FAILED');
    expect(ndjson!.error).toMatchObject({
      code: 'INVALID_INPUT',
      message:
        'endless.ndjson: line 1 (from byte 0) runs past 65536 bytes without a line break; NDJSON holds one short record per line',
    });
    expect(json!.status).toBe('FAILED');
    expect(json!.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(
        /^players\.json: the record starting at byte 1 runs past 16777216 characters/,
      ),
    });
    expect(growth).toBeLessThan(200 * 1024 * 1024);
    expect(await checksum()).toBe(before);
  });

  it('a run whose success cannot be recorded does not commit, is stored FAILED, and bpetl import exits 1', async () => {
    await t.db.query(`
      create function pg_temp_refuse() returns trigger language plpgsql as
        $$ begin raise exception 'recording refused'; end $$;
      create trigger refuse_success before update on bpetl.pipeline_runs
        for each row when (new.status = 'SUCCEEDED') execute function pg_temp_refuse();`);
    try {
      const changed = await variant('changed', {
        'series_stats.json': statsWith(
          Buffer.from(JSON.stringify({ ...(JSON.parse(statsText) as object[])[0], team: 'Brand New - 9' })),
        ),
      });
      const result = await run(changed);
      expect(result.status).toBe('FAILED');
      expect(result.error?.message).toMatch(/recording refused/);
      expect(await checksum()).toBe(before);
      const cli = await runCli(['import', changed, '--json'], { DATABASE_URL: t.db.url });
      expect(cli.status).toBe(1);
      // The document printed (log lines may share stdout) says FAILED, as the stored run does.
      expect(cli.stdout).toMatch(/^\{\n {2}"id": "\d+",\n {2}"status": "FAILED",/m);
      expect(await checksum()).toBe(before);
    } finally {
      await t.db.query(`drop trigger refuse_success on bpetl.pipeline_runs; drop function pg_temp_refuse()`);
    }
  });
});
