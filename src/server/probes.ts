import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import type { App } from '../app/app.ts';
import { logger } from '../logger.ts';
import { checkReadiness } from '../services/metrics/readiness.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `/livez`: the process serves (no database involved, so a database outage never restarts it).
 * `/readyz`: the database answers, its migrations are current and the LISTEN connection is up;
 * 503 with the reason otherwise. Both answer without a token: they say nothing about the data.
 */
export function withProbes(app: App, next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/livez' && path !== '/readyz') return next(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const send = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' })
        .end(req.method === 'HEAD' ? undefined : `${JSON.stringify(body)}\n`);
    if (path === '/livez') {
      send(200, { status: 'ok' });
      return;
    }
    checkReadiness(app).then(
      (readiness) =>
        send(readiness.ready ? 200 : 503, {
          status: readiness.ready ? 'ready' : 'not ready',
          ...(readiness.reason ? { reason: readiness.reason } : {}),
          checks: readiness.checks,
        }),
      (err: unknown) => {
        logger.error({ err }, 'the readiness check failed');
        send(503, { status: 'not ready', reason: 'the readiness check failed (the log says why)' });
      },
    );
  };
}
