import type { Command } from 'commander';

import { AppError } from '../../errors.ts';
import {
  disableProtection,
  enableProtection,
  type ProtectionStatus,
  protectionStatus,
} from '../../services/protection/switch.ts';
import { runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';

const ACTIONS = ['enable', 'disable', 'status'] as const;

function printStatus(status: ProtectionStatus): void {
  const out = [
    `protection ${status.enabled ? 'ON' : 'OFF'}${status.since ? ` since ${status.since.toISOString()}` : ''}`,
    `  ${status.pendingEvents} open orphan event(s)`,
  ];
  for (const t of status.tables) {
    out.push(
      `  ${t.role.toLowerCase().padEnd(6)} ${t.table.padEnd(26)} ${t.covered ? 'covered' : 'NOT covered'}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerProtection(program: Command): void {
  program
    .command('protection')
    .description('real-time orphan detection: enable | disable | status')
    .argument('<action>', ACTIONS.join(' | '))
    .option('--json', 'print the status as one JSON document')
    .action((action: string, options: { json?: boolean }) =>
      runCommand(async (config) => {
        if (!(ACTIONS as readonly string[]).includes(action)) {
          throw new AppError(
            'INVALID_INPUT',
            `Unknown protection action "${action}" (expected ${ACTIONS.join(', ')})`,
            {
              field: 'action',
            },
          );
        }
        return withApp(config, async (app) => {
          const db = app.db.manager;
          const status =
            action === 'enable'
              ? await enableProtection(db)
              : action === 'disable'
                ? await disableProtection(db)
                : await protectionStatus(db);
          if (options.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
          else printStatus(status);
        });
      }),
    );
}
