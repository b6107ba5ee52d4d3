import { discoverProtection, type SkippedReference } from '../services/protection/discover.ts';
import { addProtectedReference, removeProtectedReference } from '../services/protection/entries.ts';
import {
  disableProtection,
  enableProtection,
  type ProtectedTable,
  type ProtectionEntry,
  type ProtectionStatus,
  protectionStatus,
} from '../services/protection/switch.ts';
import { loadRetention } from '../services/retention/policy.ts';
import { builder } from './builder.ts';
import { RetentionPolicyType } from './retention.ts';

const ReferenceOriginEnum = builder.enumType('ReferenceOrigin', {
  values: ['FOREIGN_KEY', 'BUILT_IN', 'OPERATOR'] as const,
  description: 'Where a protection-spec entry came from.',
});

const ProtectedReferenceType = builder.objectRef<ProtectionEntry>('ProtectedReference').implement({
  description: 'One reference from user data to reference data, as the protection spec holds it.',
  fields: (t) => ({
    name: t.exposeString('name'),
    dataType: t.exposeString('dataType'),
    table: t.exposeString('sourceTable'),
    column: t.exposeString('sourceColumn'),
    targetTable: t.exposeString('targetTable'),
    targetColumn: t.exposeString('targetColumn'),
    nullable: t.exposeBoolean('nullable'),
    rematch: t.exposeString('rematch', {
      description: 'team, player, series, practice, external_player, league, club.',
    }),
    rowFilter: t.exposeString('rowFilter', { nullable: true }),
    origin: t.expose('origin', { type: ReferenceOriginEnum }),
    onDelete: t.exposeString('onDelete', {
      nullable: true,
      description: "The foreign key's ON DELETE action.",
    }),
    covered: t.exposeBoolean('covered', {
      description: 'Its detection triggers are attached and fire always.',
    }),
  }),
});

const SkippedReferenceType = builder.objectRef<SkippedReference>('SkippedReference').implement({
  fields: (t) => ({ name: t.exposeString('name'), reason: t.exposeString('reason') }),
});

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
    references: t.field({ type: [ProtectedReferenceType], resolve: (s) => s.references }),
    skipped: t.field({
      type: [SkippedReferenceType],
      description: 'Built-in or removed references that are not protected here, and why.',
      resolve: (s) => s.skipped,
    }),
    retention: t.field({
      type: RetentionPolicyType,
      description: 'How long orphan events and the rest of the bpetl history are kept.',
      resolve: (_s, _args, { app }) => loadRetention(app.db.manager),
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

builder.mutationField('addProtectedReference', (t) =>
  t.field({
    type: ProtectionStatusType,
    description:
      'Protects one more reference (an operator entry): `column` and `references` are TABLE.COLUMN.',
    errors: {},
    args: {
      column: t.arg.string({ required: true }),
      references: t.arg.string({ required: true }),
      rematch: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, { app }) => {
      await app.db.transaction((tx) => addProtectedReference(tx, args));
      return protectionStatus(app.db.manager);
    },
  }),
);

builder.mutationField('removeProtectedReference', (t) =>
  t.field({
    type: ProtectionStatusType,
    description: 'Stops protecting a reference; a discovered one stays out of later rediscoveries.',
    errors: {},
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, { app }) => {
      await app.db.transaction((tx) => removeProtectedReference(tx, args.name));
      return protectionStatus(app.db.manager);
    },
  }),
);

builder.mutationField('discoverProtection', (t) =>
  t.field({
    type: ProtectionStatusType,
    description: 'Rediscovers the protection spec from the catalog (as every migrate does).',
    errors: {},
    resolve: async (_root, _args, { app }) => {
      await app.db.transaction((tx) => discoverProtection(tx));
      return protectionStatus(app.db.manager);
    },
  }),
);
