import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Plugin } from 'graphql-yoga';

type RenderOptions = Parameters<typeof renderGraphiQL>[0];

/**
 * Runs before GraphiQL: asks for the API token at the first request, keeps it in sessionStorage
 * (this tab only, gone when it closes) and adds it to GraphiQL's requests to this endpoint. A 401
 * forgets it, so the next request asks again.
 */
const TOKEN_SCRIPT = `(() => {
  const KEY = 'bpetl-api-token';
  const send = window.fetch.bind(window);
  const token = () => {
    let value = sessionStorage.getItem(KEY);
    if (!value) {
      value = (window.prompt('API token (BPETL_API_TOKEN); kept for this tab only') || '').trim();
      if (value) sessionStorage.setItem(KEY, value);
    }
    return value;
  };
  window.fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin || url.pathname !== location.pathname) return send(input, init);
    const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
    const value = token();
    if (value && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + value);
    const response = await send(input, { ...init, headers });
    if (response.status === 401) sessionStorage.removeItem(KEY);
    return response;
  };
})();`;

/** yoga's offline GraphiQL, plus the token prompt when the server has a token. */
export function renderGraphiQLPage(tokenRequired: boolean): (options?: RenderOptions) => string {
  return (options) => {
    const html = renderGraphiQL(options);
    return tokenRequired ? html.replace('<head>', `<head>\n<script>${TOKEN_SCRIPT}</script>`) : html;
  };
}

/** The README's first query, with the product's one-line welcome: GraphiQL's default tab. */
export const DEFAULT_QUERY = `# bulletproof-etl: league reference data, refreshed without orphaning the user data on it. Run with Ctrl-Enter.
{
  teams(first: 5) {
    edges {
      node {
        id
        teamName
        club {
          name
        }
        series {
          name
        }
        league {
          leagueId
        }
      }
    }
  }
}
`;

/** The encoding to send of `offered`, best first, that `accept` (an Accept-Encoding value) allows; q=0 refuses. */
export function preferredEncoding(accept: string | null, offered: readonly string[]): string | null {
  const accepted = new Map(
    (accept ?? '').split(',').map((part) => {
      const [name = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return [name.trim().toLowerCase(), q === undefined ? 1 : Number(q)] as const;
    }),
  );
  return offered.find((name) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0) ?? null;
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * GraphiQL's page (the whole offline bundle, 9 MB) compressed with brotli (2 MB, about 1 s once) or
 * gzip (2.4 MB) when the browser accepts it. The page is the same for every request: each encoding is made once, off
 * the event loop, and kept. Only yoga's HTML response (GraphiQL) is touched; GraphQL responses
 * and event streams go as they are.
 */
export function useGraphiQLCompression(): Plugin {
  let cached: { html: string; bodies: Map<string, Promise<Buffer>> } | null = null;
  const encode = (html: string, encoding: string): Promise<Buffer> => {
    if (cached?.html !== html) cached = { html, bodies: new Map() };
    let body = cached.bodies.get(encoding);
    if (!body) {
      const input = Buffer.from(html);
      body =
        encoding === 'br'
          ? brotli(input, {
              params: {
                [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
                [zlibConstants.BROTLI_PARAM_SIZE_HINT]: input.length,
              },
            })
          : gzipAsync(input, { level: 6 });
      cached.bodies.set(encoding, body);
    }
    return body;
  };
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
      if (response.headers.has('content-encoding')) return;
      const encoding = preferredEncoding(request.headers.get('accept-encoding'), ['br', 'gzip']);
      const headers = new fetchAPI.Headers(response.headers);
      headers.append('vary', 'accept-encoding');
      if (encoding === null) {
        setResponse(new fetchAPI.Response(response.body, { status: response.status, headers }));
        return;
      }
      const body = await encode(await response.text(), encoding);
      headers.set('content-encoding', encoding);
      headers.set('content-length', String(body.length));
      setResponse(
        new fetchAPI.Response(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length), {
          status: response.status,
          headers,
        }),
      );
    },
  };
}
