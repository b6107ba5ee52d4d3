import type { Command } from 'commander';

import type { App } from '../../app/app.ts';
import { AppError } from '../../errors.ts';
import {
  listSchemaChanges,
  type SchemaChange,
  undoSchemaChange,
} from '../../services/constraints/schema-changes.ts';
import { discoverProtection } from '../../services/protection/discover.ts';
import { addProtectedReference, removeProtectedReference } from '../../services/protection/entries.ts';
import {
  disableProtection,
  enableProtection,
  type ProtectionStatus,
  protectionStatus,
} from '../../services/protection/switch.ts';
import { runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';

const ACTIONS = [
  'enable',
  'disable',
  'status',
  'add',
  'remove',
  'discover',
  'changes',
  'undo-change',
] as const;
type Action = (typeof ACTIONS)[number];

interface Options {
  json?: boolean;
  references?: string;
  rematch?: string;
}

function printStatus(status: ProtectionStatus): void {
  const out = [
    `protection ${status.enabled ? 'ON' : 'OFF'}${status.since ? ` since ${status.since.toISOString()}` : ''}`,
    `  ${status.pendingEvents} open orphan event(s) (user rows found pointing at nothing, not yet repaired; ` +
      'bpetl repair --dry-run lists them)',
  ];
  for (const t of status.tables) {
    out.push(
      `  ${t.role.toLowerCase().padEnd(6)} ${t.table.padEnd(26)} ${t.covered ? 'covered' : 'NOT covered'}`,
    );
  }
  out.push('references:');
  for (const r of status.references) {
    out.push(
      `  ${r.name.padEnd(48)} → ${`${r.targetTable}.${r.targetColumn}`.padEnd(30)} ${r.rematch.padEnd(15)} ` +
        `${r.origin.padEnd(11)} ${r.onDelete ? `on delete ${r.onDelete}`.padEnd(20) : ''.padEnd(20)} ` +
        `${r.covered ? 'triggers on' : 'triggers OFF'}`,
    );
  }
  if (status.skipped.length > 0) out.push('skipped:');
  for (const s of status.skipped) out.push(`  ${s.name.padEnd(48)} ${s.reason}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function printChanges(changes: SchemaChange[]): void {
  const out = changes.map(
    (c) =>
      `  ${String(c.id).padStart(5)} ${c.kind.padEnd(17)} ${`${c.table}.${c.object}`.padEnd(48)} ` +
      `${c.undoneAt ? `undone ${c.undoneAt.toISOString()}` : c.createdAt.toISOString()}  ${c.detail}`,
  );
  process.stdout.write(
    `${changes.length} change(s) to application tables${changes.length ? ':' : ''}\n${out.map((l) => `${l}\n`).join('')}`,
  );
}

/**
 * The record of what the tool changed in application tables (`changes`), and undoing one of them
 * (`undo-change ID`): printed as the change list, or the SchemaChange as JSON.
 */
async function actOnChanges(app: App, action: 'changes' | 'undo-change', target: string | undefined) {
  if (action === 'changes') return listSchemaChanges(app.db.manager);
  if (!target || !/^\d{1,15}$/.test(target)) {
    throw new AppError(
      'INVALID_INPUT',
      'protection undo-change needs the change id (see `protection changes`)',
      {
        field: 'id',
      },
    );
  }
  return undoSchemaChange(app.db, Number(target));
}

/** Runs one action; add, remove and discover change the spec in one transaction, then report. */
async function act(
  app: App,
  action: Exclude<Action, 'changes' | 'undo-change'>,
  target: string | undefined,
  options: Options,
) {
  const db = app.db.manager;
  const needs = (what: string) => {
    if (!target) throw new AppError('INVALID_INPUT', `protection ${action} needs ${what}`, { field: what });
    return target;
  };
  switch (action) {
    case 'enable':
      return enableProtection(db);
    case 'disable':
      return disableProtection(db);
    case 'status':
      return protectionStatus(db);
    case 'add': {
      const column = needs('TABLE.COLUMN');
      if (!options.references) {
        throw new AppError('INVALID_INPUT', 'protection add needs --references TABLE.COLUMN', {
          field: 'references',
        });
      }
      const input = { column, references: options.references, rematch: options.rematch ?? null };
      await app.db.transaction((tx) => addProtectedReference(tx, input));
      return protectionStatus(db);
    }
    case 'remove': {
      const name = needs('NAME');
      await app.db.transaction((tx) => removeProtectedReference(tx, name));
      return protectionStatus(db);
    }
    case 'discover':
      await app.db.transaction((tx) => discoverProtection(tx));
      return protectionStatus(db);
  }
}

export function registerProtection(program: Command): void {
  program
    .command('protection')
    .description(
      'real-time orphan detection and the protection spec: enable | disable | status | add | remove | discover; ' +
        'changes | undo-change ID: what the tool changed in application tables',
    )
    .argument('<action>', ACTIONS.join(' | '))
    .argument(
      '[target]',
      'add: TABLE.COLUMN of the user data; remove: the entry name; undo-change: the change id',
    )
    .option('--references <TABLE.COLUMN>', 'add: what the column points at')
    .option('--rematch <strategy>', 'add: how a dangling value is re-matched (team | player | series)')
    .option('--json', 'print the status (changes: the SchemaChange list) as one JSON document')
    .action((action: string, target: string | undefined, options: Options) =>
      runCommand(async (config) => {
        if (!(ACTIONS as readonly string[]).includes(action)) {
          throw new AppError(
            'INVALID_INPUT',
            `Unknown protection action "${action}" (expected ${ACTIONS.join(', ')})`,
            { field: 'action' },
          );
        }
        return withApp(config, async (app) => {
          if (action === 'changes' || action === 'undo-change') {
            const result = await actOnChanges(app, action, target);
            if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            else printChanges(Array.isArray(result) ? result : [result]);
            return;
          }
          const status = await act(
            app,
            action as Exclude<Action, 'changes' | 'undo-change'>,
            target,
            options,
          );
          if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
          else printStatus(status);
        });
      }),
    );
}
