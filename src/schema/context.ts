import type { App } from '../app/app.ts';

/** What every resolver gets: the app (long-lived, shared by every request) and the request. */
export interface GraphQLContext {
  app: App;
  requestId: string;
  /** True when no token is configured, or the request carried the right one. */
  authenticated: boolean;
}
