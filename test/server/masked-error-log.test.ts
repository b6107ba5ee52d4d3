import type { ChildProcess } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { spawnCli, waitForOutput } from '../helpers/cli.ts';
import { useTestDatabase } from '../helpers/database.ts';

/** `bpetl serve` as a process of its own, so its log is what an operator reads: its stdout. */
const db = useTestDatabase();
let server: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  server = spawnCli(['serve'], { DATABASE_URL: db.url, PORT: '0', LOG_LEVEL: 'error', BPETL_LOG_PATHS: '' });
  server.stdout!.on('data', (d) => (output += d));
  const banner = await waitForOutput(server, /open GraphiQL at (\S+)\n/);
  url = /open GraphiQL at (\S+)\n/.exec(banner)![1]!;
});
afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('close', resolve));
    server.kill('SIGTERM');
    await exited;
  }
});

/** The JSON log lines printed so far. */
function logLines(): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('an unexpected error', () => {
  it('reaches the client masked, and the log has the real error beside the same request id', async () => {
    await db.query('alter table leagues rename to leagues_gone');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-masked-4711' },
        body: JSON.stringify({ query: '{ leagues { id } }' }),
      });
      const body = (await response.json()) as {
        errors: Array<{ message: string; extensions: Record<string, unknown> }>;
      };
      expect(body.errors[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-masked-4711' },
      });
      expect(JSON.stringify(body)).not.toMatch(/leagues_gone|relation|does not exist/);

      let logged: Record<string, unknown> | undefined;
      for (let i = 0; i < 200 && !logged; i++) {
        logged = logLines().find((l) => l.requestId === 'req-masked-4711');
        if (!logged) await new Promise((r) => setTimeout(r, 50));
      }
      expect(logged, output).toBeDefined();
      expect(logged).toMatchObject({ level: 50, msg: 'unexpected error in a GraphQL operation' });
      expect((logged!.err as { message: string }).message).toMatch(/relation "leagues" does not exist/);
    } finally {
      await db.query('alter table leagues_gone rename to leagues');
    }
  });

  it('without an x-request-id gets a generated one, logged the same', async () => {
    await db.query('alter table leagues rename to leagues_gone');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ leagues { id } }' }),
      });
      const body = (await response.json()) as { errors: Array<{ extensions: { requestId: string } }> };
      const requestId = body.errors[0]!.extensions.requestId;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      let logged: Record<string, unknown> | undefined;
      for (let i = 0; i < 200 && !logged; i++) {
        logged = logLines().find((l) => l.requestId === requestId);
        if (!logged) await new Promise((r) => setTimeout(r, 50));
      }
      expect((logged?.err as { message?: string } | undefined)?.message, output).toMatch(/does not exist/);
    } finally {
      await db.query('alter table leagues_gone rename to leagues');
    }
  });
});
