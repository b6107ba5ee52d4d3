import { mkdtempSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServices } from '../../../src/app/start-services.ts';
import { type HttpServer, startHttpServer } from '../../../src/server/http.ts';
import { startLogMonitor } from '../../../src/services/logs/monitor.ts';
import { useTestApp } from '../../helpers/app.ts';
import { recordIn } from '../../helpers/log-findings.ts';
import { sseReader } from '../orphans/helpers.ts';
import { orphanLines, startCli, until } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bpetl-log-serve-'));
const servedLog = path.join(dir, 'postgresql.log');
const t = useTestApp({ logPaths: [servedLog] });
/** The API names log files relative to their log directory, never with the server's absolute path. */
const shown = (file: string) => path.relative(dir, file);

const deadlocks = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.now() + (from + i) * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
    return `${at} [${4000 + i}] ERROR:  deadlock detected\n`;
  }).join('');

beforeAll(async () => {
  await writeFile(servedLog, deadlocks(5)); // history before serving: not the follower's to count
  await startServices(t.app, { loadDemoOnFirstStart: false });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function findings(category: string) {
  const r = await t.graphql<{ logFindings: Array<{ count: number; files: string[]; sample: string }> }>(
    `query ($category: String) { logFindings(category: $category) { count files sample } }`,
    { category },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.logFindings;
}

async function latestAlertId(): Promise<string> {
  const [row] = await t.db.query<{ id: string }>(
    `select coalesce(max(id), 0)::text as id from bpetl.log_alerts`,
  );
  return row!.id;
}

describe('serve follows BPETL_LOG_PATHS', () => {
  it('records lines appended while serving in logFindings, and their alert reaches logAlert', async () => {
    const response = await t.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `subscription ($after: ID) { logAlert(after: $after) { id category count finding { count files } } }`,
        variables: { after: await latestAlertId() },
      }),
    });
    const sse = sseReader(response);
    try {
      await appendFile(servedLog, deadlocks(3, 10));
      await until(async () => (await findings('DEADLOCK'))[0]?.count === 3, 'the appended deadlocks');
      const [deadlock] = await findings('DEADLOCK');
      expect(deadlock).toMatchObject({ count: 3, files: [shown(servedLog)] });
      expect(deadlock!.sample).toContain('deadlock detected');
      const message = await sse.next<{ data: { logAlert: Record<string, unknown> } }>();
      expect(message.data.logAlert).toMatchObject({
        category: 'DEADLOCK',
        count: 3,
        finding: { count: 3, files: [shown(servedLog)] },
      });
    } finally {
      await sse.close();
    }
  });
});

describe('the log monitor service', () => {
  it('after a restart, counts lines written while it was down and none twice', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, orphanLines(0, 4));
    const options = { paths: [log], intervalMs: 50, idleFlushMs: 0 };
    const count = async () =>
      (await findings('ORPHAN_INDICATOR')).find((f) => f.files.includes(shown(log)))?.count ?? 0;

    let monitor = await startLogMonitor(t.app, options);
    await appendFile(log, orphanLines(4, 7));
    await until(async () => (await count()) === 3, 'three findings');
    await monitor.close();

    await appendFile(log, orphanLines(7, 9)); // while it is down
    monitor = await startLogMonitor(t.app, options);
    await appendFile(log, orphanLines(9, 10));
    await until(async () => (await count()) >= 6, 'six findings');
    // Give a repeat the chance to show up (several polls) before judging.
    await new Promise((r) => setTimeout(r, 500));
    await monitor.close();
    expect(await count()).toBe(6);
    const [offset] = await t.db.query<{ offset: number }>(
      `select "offset"::int from bpetl.log_offsets where path = $1`,
      [log],
    );
    expect(offset!.offset).toBe((await readFile(log)).length);
  });
});

describe('bpetl watch', () => {
  let http: HttpServer;
  beforeAll(async () => {
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await http?.close();
  });

  it('prints logAlert alerts from a serving instance and resumes after them', async () => {
    const cursorFile = path.join(dir, 'watch-cursor.json');
    const [{ orphans }] = await t.db.query<{ orphans: string }>(
      `select coalesce(max(id), 0)::text as orphans from bpetl.orphan_events`,
    );
    await writeFile(
      cursorFile,
      JSON.stringify({ orphanAfter: orphans, logAlertAfter: await latestAlertId() }),
    );
    const watch = startCli(['watch', '--url', http.url, '--cursor-file', cursorFile, '--json'], {
      BPETL_API_TOKEN: '',
    });
    const { alerts } = await recordIn(
      t.db,
      [
        {
          category: 'WATCHED',
          fingerprint: 'watched-1',
          count: 1,
          firstSeen: null,
          lastSeen: null,
          files: ['/var/log/x.log'],
          sample: 'watched thing happened',
        },
      ],
      { thresholds: { WATCHED: { count: 1, windowSeconds: 300 } } },
    );
    const logAlerts = () =>
      watch
        .lines()
        .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> })
        .filter((m) => m.type === 'logAlert');
    await until(() => logAlerts().length > 0, `a logAlert line; stderr: ${watch.out.stderr}`);
    expect(await watch.stop()).toBe(0);
    expect(logAlerts()).toHaveLength(1);
    expect(logAlerts()[0]!.data).toMatchObject({
      id: alerts[0]!.id,
      category: 'WATCHED',
      count: 1,
      threshold: 1,
      message: 'WATCHED: 1 occurrence(s) within 300 s (threshold 1); latest: watched thing happened',
    });
    expect(watch.out.stderr).not.toContain('no logAlert subscription');
    expect(JSON.parse(await readFile(cursorFile, 'utf8'))).toMatchObject({ logAlertAfter: alerts[0]!.id });
  });
});
