import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

/**
 * The folders of src/, lowest first: a module may import its own folder, a folder of the same rank
 * or a lower one, never a higher one (docs/ARCHITECTURE.md draws it). The root files (config,
 * logger, errors) are below everything.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['.'],
  ['db', 'entities', 'sources', 'logs', 'generator'],
  ['events'],
  ['services'],
  ['app'],
  ['schema'],
  ['server'],
  ['cli'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of a file, type-only and dynamic ones included, as paths under src/. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.relative(SRC, path.resolve(path.dirname(file), name)));
}

/** A file's top-level folder ('.' for the root files). */
function topFolder(file: string): string {
  const parts = file.split(path.sep);
  return parts.length === 1 ? '.' : parts[0]!;
}

/** The unit whose cycles matter: a top-level folder, or a domain folder of services/. */
function unit(file: string): string {
  const parts = file.split(path.sep);
  if (parts[0] === 'services' && parts.length > 2) return `services/${parts[1]}`;
  return topFolder(file);
}

function rank(folder: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(folder));
  if (index < 0) throw new Error(`src/${folder} is in no layer of this test; add it`);
  return index;
}

/** Cycles of a graph as paths (each once, from its smallest node), by depth-first search. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found = new Map<string, string[]>();
  const visit = (node: string, stack: string[]) => {
    const at = stack.indexOf(node);
    if (at >= 0) {
      const cycle = stack.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0]!);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      found.set(rotated.join(' -> '), [...rotated, rotated[0]!]);
      return;
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...stack, node]);
    done.add(node);
  };
  const done = new Set<string>();
  for (const node of graph.keys()) visit(node, []);
  return [...found.values()];
}

const files = sourceFiles(SRC).map((file) => path.relative(SRC, file));
const edges = files.flatMap((from) => importsOf(path.join(SRC, from)).map((to) => ({ from, to })));

function graphOf(key: (file: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const [a, b] = [key(from), key(to)];
    if (a === b) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

describe('the folders are the architecture', () => {
  it('finds the imports it checks', () => {
    // A parser that found nothing would pass every rule below.
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: path.join('app', 'app.ts'), to: 'config.ts' });
  });

  it('no import runs back up a layer', () => {
    const upward = edges
      .filter(({ from, to }) => rank(topFolder(to)) > rank(topFolder(from)))
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(upward).toEqual([]);
  });

  it('services import neither the server nor the schema nor the app', () => {
    const banned = edges
      .filter(({ from }) => topFolder(from) === 'services')
      .filter(({ to }) => ['server', 'schema', 'app'].includes(topFolder(to)))
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(banned).toEqual([]);
  });

  it('no folder imports one that imports it back', () => {
    expect(cycles(graphOf(unit)).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('no module imports one that imports it back', () => {
    expect(cycles(graphOf((file) => file)).map((c) => c.join(' -> '))).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('finds a cycle and reports it once', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(cycles(new Map([['a', new Set(['b'])]]))).toEqual([]);
  });
});
