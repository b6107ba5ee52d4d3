import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Where `npm install` (the `prepare` script) builds the operator console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

// Hashed file names change with their content, so a browser may keep them for good; the index
// names the current ones and is revalidated on every load (its ETag makes that a 304).
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
// The console loads nothing from elsewhere; uPlot sets inline styles on the elements it draws.
const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset {
  type: string;
  cacheControl: string;
  etag: string;
  bodies: { identity: Buffer; br?: Buffer; gzip?: Buffer };
}

/** Every file of the build, read and compressed once at start: a fixed set, so no path is resolved per request. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const relative = path.posix.join(sub, entry.name);
      if (entry.isDirectory()) walk(relative);
      else assets.set(`/${relative}`, load(path.join(dir, relative), relative));
    }
  };
  walk('');
  return assets;
}

function load(file: string, relative: string): Asset {
  const ext = path.extname(file);
  const identity = readFileSync(file);
  const compress = COMPRESSIBLE.has(ext) && identity.length > 1024;
  return {
    type: TYPES[ext] ?? 'application/octet-stream',
    cacheControl: relative.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
    bodies: {
      identity,
      br: compress
        ? brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
        : undefined,
      gzip: compress ? gzipSync(identity, { level: 9 }) : undefined,
    },
  };
}

/** The encoding to send: brotli, then gzip, when the client accepts it (q=0 refuses). */
function pickEncoding(accept: string | undefined, asset: Asset): 'br' | 'gzip' | 'identity' {
  const accepted = new Map(
    (accept ?? '').split(',').map((part) => {
      const [name = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return [name.trim().toLowerCase(), q === undefined ? 1 : Number(q)] as const;
    }),
  );
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (asset.bodies.br && ok('br')) return 'br';
  if (asset.bodies.gzip && ok('gzip')) return 'gzip';
  return 'identity';
}

function send(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': asset.cacheControl,
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (asset.type.startsWith('text/html')) headers['content-security-policy'] = CSP;
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const encoding = pickEncoding(req.headers['accept-encoding'], asset);
  const body = asset.bodies[encoding]!;
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Serves the built console at `/` in front of `next` (GraphQL stays at `/graphql`). Without a
 * build, `/` says how to make one instead of failing.
 */
export function withConsole(next: RequestListener, dir = CONSOLE_DIR): RequestListener {
  let assets: Map<string, Asset>;
  try {
    assets = loadAssets(dir);
  } catch {
    assets = new Map();
  }
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next(req, res);
    const pathname = (req.url ?? '/').split('?')[0]!;
    const asset = assets.get(pathname === '/' ? '/index.html' : pathname);
    if (asset) return send(req, res, asset);
    if (pathname === '/') {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end(
          'The console is not built: run `npm run build:console` (npm install runs it). GraphiQL is at /graphql.\n',
        );
      return;
    }
    next(req, res);
  };
}
