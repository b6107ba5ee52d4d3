import { type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useTestApp } from '../../helpers/app.ts';
import { spawnCli } from '../../helpers/cli.ts';
import { seedPolls, seedTeams, useOrphanServer } from './helpers.ts';

const t = useTestApp();
const server = useOrphanServer(t);
let hook: Server;
let hookUrl: string;
const delivered: Array<{ type: string; data: { id: string; rowId: string } }> = [];
let refusals = 1;

beforeAll(async () => {
  // The receiver refuses its first request: delivery must retry, not skip.
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (refusals > 0) {
        refusals -= 1;
        res.writeHead(503).end();
        return;
      }
      delivered.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((resolve) => hook?.close(resolve));
});

const orphansDelivered = () => delivered.filter((d) => d.type === 'orphanDetected').map((d) => d.data.id);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function startWatch(cursorFile: string): ChildProcess {
  const child = spawnCli([
    'watch',
    '--url',
    server.http.url,
    '--webhook',
    hookUrl,
    '--cursor-file',
    cursorFile,
    '--json',
  ]);
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

async function orphan(tag: string, n: number): Promise<string[]> {
  const teams = await seedTeams(t.db.query, tag, n);
  await seedPolls(t.db.query, teams);
  const [{ before }] = await t.db.query<{ before: string }>(
    `select coalesce(max(id), 0)::text as before from bpetl.orphan_events`,
  );
  await t.db.query(`delete from teams where id = any($1::int[])`, [teams]);
  const rows = await t.db.query<{ id: string }>(
    `select e.id::text from bpetl.orphan_events e where e.id > $1 order by e.id`,
    [before],
  );
  return rows.map((r) => r.id);
}

describe('bpetl watch', () => {
  it('posts every orphan alert to the webhook once, across a restart, retrying refusals', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-watch-'));
    const cursorFile = path.join(dir, 'cursor.json');
    const [{ start }] = await t.db.query<{ start: string }>(
      `select coalesce(max(id), 0)::text as start from bpetl.orphan_events`,
    );
    await writeFile(cursorFile, JSON.stringify({ orphanAfter: start }));

    const firstBatch = await orphan('watch1', 3);
    let child = startWatch(cursorFile);
    await until(() => orphansDelivered().length >= 3, 'the first three alerts');
    expect(await stop(child)).toBe(0);
    expect(JSON.parse(await readFile(cursorFile, 'utf8'))).toMatchObject({ orphanAfter: firstBatch.at(-1) });

    // Down: these must arrive after the restart, and the first three must not come again.
    const secondBatch = await orphan('watch2', 2);
    child = startWatch(cursorFile);
    await until(() => orphansDelivered().length >= 5, 'the alerts raised while it was down');
    // Give a duplicate the chance to show up before judging.
    await new Promise((r) => setTimeout(r, 500));
    expect(await stop(child)).toBe(0);
    expect(orphansDelivered()).toEqual([...firstBatch, ...secondBatch]);
    expect(refusals).toBe(0);
  });
});
