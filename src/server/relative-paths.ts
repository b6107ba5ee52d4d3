import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

import { type ExecutionResult, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';

import type { Config } from '../config.ts';
import type { GraphQLContext } from '../schema/context.ts';

/** The directory a BPETL_LOG_PATHS entry stands for: itself, a file's folder, a glob's fixed prefix. */
function logRoot(entry: string): string {
  const parts = path.resolve(entry).split(path.sep);
  const glob = parts.findIndex((part) => /[*?[\]{}!]/.test(part));
  if (glob >= 0) return parts.slice(0, glob).join(path.sep) || path.sep;
  const full = parts.join(path.sep);
  try {
    return statSync(full).isDirectory() ? full : path.dirname(full);
  } catch {
    // Not there yet: a name with an extension is taken for a file.
    return path.extname(full) ? path.dirname(full) : full;
  }
}

/** Each root as spelled and as resolved (a temp directory behind a symlink shows both ways). */
function spellings(root: string): string[] {
  const out = [path.resolve(root)];
  try {
    out.push(realpathSync(root));
  } catch {
    // not there (yet): the spelling above is all there is
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites absolute paths under the import directory or a log directory as paths relative to it, in
 * any text: `/srv/bpetl/imports/feed/teams.json: …` becomes `feed/teams.json: …`, the directory
 * itself `.`. Paths outside them are left as they are (a CLI run's source is stored as the operator
 * spelled it, never resolved).
 */
export function relativePaths(config: Pick<Config, 'importDir' | 'logPaths'>): (text: string) => string {
  const roots = [...new Set([config.importDir, ...config.logPaths.map(logRoot)].flatMap(spellings))]
    .filter((root) => root !== path.sep)
    .sort((a, b) => b.length - a.length);
  if (roots.length === 0) return (text) => text;
  // A root counts only as a whole path: followed by a separator, or by nothing that could go on a name.
  const pattern = new RegExp(`(?:${roots.map(escape).join('|')})(?:${escape(path.sep)}|(?![\\w.-]))`, 'g');
  return (text) =>
    text.includes(path.sep) ? text.replace(pattern, (m) => (m.endsWith(path.sep) ? '' : '.')) : text;
}

/** `value` with `rewrite` applied to every string in it, keys too; the same object when nothing changed. */
export function mapStrings<T>(value: T, rewrite: (text: string) => string): T {
  if (typeof value === 'string') return rewrite(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item: unknown) => {
      const next = mapStrings(item, rewrite);
      changed ||= next !== item;
      return next;
    });
    return (changed ? out : value) as T;
  }
  const proto = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  // graphql-js builds its result objects without a prototype.
  if (proto === Object.prototype || proto === null) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as object)) {
      const k = rewrite(key);
      const next = mapStrings(item, rewrite);
      changed ||= k !== key || next !== item;
      out[k] = next;
    }
    return (changed ? out : value) as T;
  }
  return value;
}

/**
 * No response names an absolute server path: every result (queries, mutations, each subscription
 * event, over HTTP, SSE and graphql-ws) has its data and error messages rewritten by relativePaths.
 * Services keep whatever paths they need; only what leaves the process is rewritten.
 */
export function useRelativePaths(config: Config): Plugin<GraphQLContext> {
  const rewrite = relativePaths(config);
  const format = (result: ExecutionResult): ExecutionResult | null => {
    const data = mapStrings(result.data, rewrite);
    const errors = result.errors?.map((error) => {
      const message = rewrite(error.message);
      const extensions = mapStrings(error.extensions, rewrite);
      if (message === error.message && extensions === error.extensions) return error;
      return new GraphQLError(message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        originalError: error.originalError,
        extensions,
      });
    });
    if (data === result.data && (errors ?? []).every((e, i) => e === result.errors![i])) return null;
    return { ...result, data, ...(errors ? { errors } : {}) };
  };
  // A subscription event's result is shared by its subscribers (useSharedSubscriptionResults):
  // formatted once, not once per subscriber.
  const formatted = new WeakMap<ExecutionResult, ExecutionResult | null>();
  const formatOnce = (result: ExecutionResult) => {
    if (!formatted.has(result)) formatted.set(result, format(result));
    return formatted.get(result)!;
  };
  const onDone = (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
    handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
      const next = formatOnce(result);
      if (next) setResult(next);
    });
  return {
    onExecute: () => ({ onExecuteDone: onDone }),
    // Each subscription event is executed inside subscribe: the events are formatted here.
    onSubscribe: () => ({ onSubscribeResult: onDone }),
  };
}
