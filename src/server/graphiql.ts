import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

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
