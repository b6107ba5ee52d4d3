import {
  disableProtection,
  enableProtection,
  type ProtectedTable,
  type ProtectionStatus,
  protectionStatus,
} from '../services/protection/switch.ts';
import { builder } from './builder.ts';

const ProtectedTableType = builder.objectRef<ProtectedTable>('ProtectedTable').implement({
  fields: (t) => ({
    table: t.exposeString('table'),
    role: t.exposeString('role', { description: 'SOURCE holds protected references; TARGET is referenced.' }),
    triggers: t.exposeStringList('triggers'),
    covered: t.exposeBoolean('covered', {
      description:
        'Every detection trigger is attached and fires even under session_replication_role = replica.',
    }),
  }),
});

const ProtectionStatusType = builder.objectRef<ProtectionStatus>('ProtectionStatus').implement({
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled'),
    since: t.expose('since', { type: 'DateTime', nullable: true }),
    tables: t.field({ type: [ProtectedTableType], resolve: (s) => s.tables }),
    pendingEvents: t.exposeInt('pendingEvents', {
      description: 'Orphan events not yet resolved or repaired.',
    }),
  }),
});

builder.queryField('protection', (t) =>
  t.field({
    type: ProtectionStatusType,
    description: 'Whether real-time orphan detection is on, for which tables, since when.',
    resolve: (_root, _args, { app }) => protectionStatus(app.db.manager),
  }),
);

builder.mutationField('enableProtection', (t) =>
  t.field({
    type: ProtectionStatusType,
    description: 'Attaches the detection triggers to every table of the protection spec (idempotent).',
    errors: {},
    resolve: (_root, _args, { app }) => enableProtection(app.db.manager),
  }),
);

builder.mutationField('disableProtection', (t) =>
  t.field({
    type: ProtectionStatusType,
    description: 'Detaches them; orphans created meanwhile are found later by emergencyRepair.',
    errors: {},
    resolve: (_root, _args, { app }) => disableProtection(app.db.manager),
  }),
);
