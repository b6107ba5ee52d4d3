import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Command } from 'commander';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { AppError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { runCommand, waitForShutdownSignal } from '../run-command.ts';
import { postWebhook } from '../webhook.ts';

const ORPHAN_SUBSCRIPTION = `subscription ($after: ID) { orphanDetected(after: $after) {
  id table rowId column missingRef reference targetTable cause context detectedAt resolvedAt } }`;
const HEALTH_SUBSCRIPTION = `subscription { healthChanged { score status checkedAt types { name rows orphans }
  checks { check issues rows penalty } } }`;

type Kind = 'orphanDetected' | 'healthChanged' | 'logAlert';

interface FieldInfo {
  name: string;
  args: Array<{ name: string }>;
  type: {
    name: string | null;
    ofType: { name: string | null; ofType: { name: string | null } | null } | null;
  };
}

/**
 * `logAlert` belongs to the log monitor; its shape is read from the server (introspection), so
 * watch asks for its scalar fields and resumes it by `after` when the server supports that.
 */
async function logAlertSubscription(
  url: string,
  token: string | null,
): Promise<{ query: string; resumable: boolean } | null> {
  // With a token set every operation needs it, introspection included.
  const headers = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      query: `{ __schema { subscriptionType { fields { name args { name }
                type { name ofType { name ofType { name } } } } } } }`,
    }),
  });
  const body = (await response.json()) as {
    data?: { __schema: { subscriptionType: { fields: FieldInfo[] } | null } };
  };
  const field = body.data?.__schema.subscriptionType?.fields.find((f) => f.name === 'logAlert');
  if (!field) return null;
  const typeName = field.type.name ?? field.type.ofType?.name ?? field.type.ofType?.ofType?.name;
  const typeResponse = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      query: `query ($name: String!) { __type(name: $name) { fields { name type { kind ofType { kind } } } } }`,
      variables: { name: typeName },
    }),
  });
  const typeBody = (await typeResponse.json()) as {
    data?: {
      __type: {
        fields: Array<{ name: string; type: { kind: string; ofType: { kind: string } | null } }>;
      } | null;
    };
  };
  const scalars = (typeBody.data?.__type?.fields ?? [])
    .filter((f) => [f.type.kind, f.type.ofType?.kind].some((k) => k === 'SCALAR' || k === 'ENUM'))
    .map((f) => f.name);
  if (scalars.length === 0) return null;
  const resumable = field.args.some((a) => a.name === 'after') && scalars.includes('id');
  return {
    query: resumable
      ? `subscription ($after: ID) { logAlert(after: $after) { ${scalars.join(' ')} } }`
      : `subscription { logAlert { ${scalars.join(' ')} } }`,
    resumable,
  };
}

interface Cursor {
  orphanAfter: string | null;
  logAlertAfter?: string | null;
}

async function loadCursor(file: string): Promise<Cursor> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Cursor;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { orphanAfter: null };
    throw new AppError('INVALID_INPUT', `Cannot read the watch cursor ${file}: ${(err as Error).message}`);
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a cursor. */
async function saveCursor(file: string, cursor: Cursor): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(cursor));
  await rename(`${file}.tmp`, file);
}

function summary(kind: Kind, data: Record<string, unknown>): string {
  if (kind === 'orphanDetected') {
    return `orphan #${data.id}: ${data.table}.${data.column} row ${data.rowId} -> missing ${data.missingRef} (${data.cause})`;
  }
  if (kind === 'healthChanged') return `health ${data.score}/100 ${data.status}`;
  return `log alert ${data.category ?? data.__typename}: ${JSON.stringify(data)}`;
}

interface WatchOptions {
  url?: string;
  webhook?: string;
  cursorFile?: string;
  json?: boolean;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description(
      'subscribe to orphanDetected, healthChanged and logAlert; print them and optionally POST them',
    )
    .option(
      '--url <url>',
      'GraphQL endpoint of a running `bpetl serve` (default http://127.0.0.1:$PORT/graphql)',
    )
    .option('--webhook <url>', 'POST each alert as JSON here (retried with backoff)')
    .option(
      '--cursor-file <path>',
      'where the orphan cursor is kept (default $BPETL_DATA_DIR/watch-cursor.json)',
    )
    .option('--json', 'print one JSON document per alert')
    .action((options: WatchOptions) =>
      runCommand(async (config) => {
        const url = options.url ?? `http://127.0.0.1:${config.port}/graphql`;
        if (!/^https?:\/\//.test(url)) {
          throw new AppError('INVALID_INPUT', `--url must be http(s)://…, got "${url}"`);
        }
        if (options.webhook && !/^https?:\/\//.test(options.webhook)) {
          throw new AppError('INVALID_INPUT', `--webhook must be http(s)://…, got "${options.webhook}"`);
        }
        const cursorFile = options.cursorFile ?? path.join(config.dataDir, 'watch-cursor.json');
        return watch({ ...options, url, cursorFile, token: config.apiToken });
      }),
    );
}

/** The server's logAlert subscription, which also proves a bpetl server answers at `url`. */
function reachServer(url: string, token: string | null) {
  return logAlertSubscription(url, token).catch((err: unknown) => {
    if (err instanceof AppError) throw err;
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new AppError(
      'SERVER_UNAVAILABLE',
      cause === 'ECONNREFUSED' || cause === 'ENOTFOUND' || cause === 'EHOSTUNREACH'
        ? `No bpetl server at ${url} (${cause}): start it with \`bpetl serve\`, or pass --url`
        : `Cannot reach ${url}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      { url },
    );
  });
}

/** What `watch` subscribes to, each from its cursor where it has one. */
function subscriptionsFor(
  cursor: Awaited<ReturnType<typeof loadCursor>>,
  logAlert: Awaited<ReturnType<typeof reachServer>>,
): Array<{ kind: Kind; query: string; variables: Record<string, unknown> }> {
  const subscriptions: Array<{ kind: Kind; query: string; variables: Record<string, unknown> }> = [
    { kind: 'orphanDetected', query: ORPHAN_SUBSCRIPTION, variables: { after: cursor.orphanAfter } },
    { kind: 'healthChanged', query: HEALTH_SUBSCRIPTION, variables: {} },
  ];
  if (logAlert) {
    subscriptions.push({
      kind: 'logAlert',
      query: logAlert.query,
      variables: logAlert.resumable ? { after: cursor.logAlertAfter ?? null } : {},
    });
  } else process.stderr.write('warning: the server has no logAlert subscription; watching the others\n');
  return subscriptions;
}

async function watch(
  options: Required<Pick<WatchOptions, 'url' | 'cursorFile'>> & WatchOptions & { token: string | null },
) {
  const cursor = await loadCursor(options.cursorFile);
  const logAlert = await reachServer(options.url, options.token);
  const client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: options.token ? { Authorization: `Bearer ${options.token}` } : {},
    // The server may restart; reconnect for as long as we run. Each retry re-subscribes from the
    // cursor, and ids at or below it are skipped, so a reconnect neither loses nor repeats.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (err) => ![4401, 4403].includes((err as { code?: number } | null)?.code ?? 0),
    lazy: false,
  });
  let failure: Error | null = null;
  let chain: Promise<void> = Promise.resolve();
  const stop = new Promise<void>((resolve) => {
    void waitForShutdownSignal().then(() => resolve());
    // Alerts are handled one by one, in arrival order: the cursor only moves past delivered ones.
    const handle = (kind: Kind, data: Record<string, unknown>) => {
      chain = chain.then(async () => {
        if (failure) return;
        const after =
          kind === 'orphanDetected' ? cursor.orphanAfter : kind === 'logAlert' ? cursor.logAlertAfter : null;
        if (after != null && data.id != null && Number(data.id) <= Number(after)) return;
        process.stdout.write(
          `${options.json ? JSON.stringify({ type: kind, data }) : summary(kind, data)}\n`,
        );
        try {
          if (options.webhook) await postWebhook(options.webhook, { type: kind, data });
        } catch (err) {
          failure = err as Error;
          resolve();
          return;
        }
        if (kind === 'orphanDetected') cursor.orphanAfter = String(data.id);
        else if (kind === 'logAlert' && logAlert?.resumable) cursor.logAlertAfter = String(data.id);
        else return;
        await saveCursor(options.cursorFile, cursor);
      });
    };
    const subscriptions = subscriptionsFor(cursor, logAlert);
    for (const { kind, query, variables } of subscriptions) {
      client.subscribe<Record<Kind, Record<string, unknown>>>(
        { query, variables },
        {
          next: (message) => {
            if (message.data?.[kind]) handle(kind, message.data[kind]);
            else if (message.errors) logger.warn({ kind, errors: message.errors }, 'subscription error');
          },
          error: (err) => {
            const code = (err as { code?: number } | null)?.code;
            if (code === 4403 || code === 4401) {
              failure = new AppError('UNAUTHENTICATED', 'The server refused the token (set BPETL_API_TOKEN)');
              resolve();
              return;
            }
            const detail = Array.isArray(err)
              ? err.map((e: { message: string }) => e.message).join('; ')
              : String(err);
            process.stderr.write(`warning: ${kind} failed: ${detail}\n`);
          },
          complete: () => undefined,
        },
      );
    }
  });
  process.stderr.write(
    `watching ${options.url}${options.webhook ? `, posting to ${options.webhook}` : ''}\n`,
  );
  await stop;
  await client.dispose();
  await chain;
  if (failure) throw failure;
}
