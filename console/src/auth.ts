/**
 * The API token, asked for once and kept for the tab (sessionStorage): it survives a reload but not
 * closing the tab, and is never written anywhere that outlives the session.
 */
const KEY = 'bpetl.apiToken';

export interface AuthState {
  /** The server refused an operation for want of a token: the console asks for it. */
  needed: boolean;
  /** The token that was sent was refused. */
  refused: boolean;
}

let state: AuthState = { needed: false, refused: false };
const listeners = new Set<(state: AuthState) => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function authState(): AuthState {
  return state;
}

function publish(next: AuthState): void {
  state = next;
  for (const listener of listeners) listener(state);
}

/**
 * Called by the API layer whenever the server answers UNAUTHENTICATED, with the token that request
 * carried. An answer to a request sent before the current token was entered says nothing about it.
 */
export function markUnauthenticated(sent: string | null): void {
  const current = getToken();
  if (sent !== current) return;
  if (current !== null) sessionStorage.removeItem(KEY);
  const next = { needed: true, refused: current !== null };
  if (state.needed !== next.needed || state.refused !== next.refused) publish(next);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token);
  publish({ needed: false, refused: false });
}

export function onAuthChange(listener: (state: AuthState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
