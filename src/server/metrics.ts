import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import type { App } from '../app/app.ts';
import { logger } from '../logger.ts';
import { createMetrics } from '../services/health/metrics.ts';

/** Serves GET /metrics (Prometheus text format) in front of `next`; everything else goes on. */
export function withMetricsEndpoint(app: App, next: RequestListener): RequestListener {
  const metrics = createMetrics(app.db.manager);
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return next(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    metrics.render().then(
      (text) =>
        res
          .writeHead(200, { 'content-type': metrics.contentType })
          .end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err }, 'rendering /metrics failed');
        res.writeHead(503, { 'content-type': 'text/plain' }).end('health check failed\n');
      },
    );
  };
}
