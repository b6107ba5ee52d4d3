import type { Db } from '../../db/sql.ts';
import { planDiscovery, type SkippedReference } from './discover.ts';
import { loadProtectionSpec, type ProtectedReference } from './spec.ts';

export interface ProtectedTable {
  table: string;
  /** SOURCE: holds protected references; TARGET: is referenced by them. */
  role: 'SOURCE' | 'TARGET';
  /** Detection triggers attached to it (all ENABLE ALWAYS when healthy). */
  triggers: string[];
  /** False when a trigger is missing or not set to fire under session_replication_role = replica. */
  covered: boolean;
}

/** A protection-spec entry with where it came from and whether its triggers are in place. */
export interface ProtectionEntry extends ProtectedReference {
  /** Both its table's and its target's detection triggers are attached (ENABLE ALWAYS). */
  covered: boolean;
}

export interface ProtectionStatus {
  enabled: boolean;
  /** When protection was last switched on (or off). */
  since: Date | null;
  tables: ProtectedTable[];
  /** Open orphan events (detected, not yet resolved or repaired). */
  pendingEvents: number;
  /** Every entry of the protection spec. */
  references: ProtectionEntry[];
  /** Built-in or discovered references that do not apply here, and why (a missing table or column). */
  skipped: SkippedReference[];
}

const EXPECTED = {
  SOURCE: ['bpetl_orphan_source_delete', 'bpetl_orphan_source_insert', 'bpetl_orphan_source_update'],
  TARGET: [
    'bpetl_orphan_target_delete',
    'bpetl_orphan_target_truncate_after',
    'bpetl_orphan_target_truncate_before',
    'bpetl_orphan_target_update',
  ],
} as const;

/** Detection triggers as the catalog has them, per table and per spec entry. */
export interface ProtectionCoverage {
  /** What bpetl.settings says: protection was switched on (and not off since). */
  switchedOn: boolean;
  since: Date | null;
  tables: ProtectedTable[];
  references: ProtectionEntry[];
}

/** The triggers of every table of the spec, read from the catalog (the triggers are the truth). */
export async function protectionCoverage(db: Db): Promise<ProtectionCoverage> {
  const [setting] = await db.query(`select value from bpetl.settings where key = 'protection'`);
  const rows: Array<{ table: string; role: 'SOURCE' | 'TARGET'; triggers: string[]; always: boolean[] }> =
    await db.query(
      `with tables as (
         select distinct source_table as t, 'SOURCE' as role from bpetl.protected_references
         union select distinct target_table, 'TARGET' from bpetl.protected_references)
       select tables.t as table, tables.role,
              coalesce(array_agg(tg.tgname::text order by tg.tgname) filter (where tg.tgname is not null), '{}') as triggers,
              coalesce(array_agg(tg.tgenabled = 'A' order by tg.tgname) filter (where tg.tgname is not null), '{}') as always
         from tables
         left join pg_trigger tg on tg.tgrelid = to_regclass(format('public.%I', tables.t))
              and tg.tgname like case tables.role when 'SOURCE' then 'bpetl\\_orphan\\_source\\_%'
                                                  else 'bpetl\\_orphan\\_target\\_%' end
        group by tables.t, tables.role
        order by tables.role, tables.t`,
    );
  const tables = rows.map((r) => ({
    table: r.table,
    role: r.role,
    triggers: r.triggers,
    covered: EXPECTED[r.role].every((name) => r.triggers.includes(name)) && r.always.every(Boolean),
  }));
  const value = setting?.value as { enabled?: boolean; since?: string } | undefined;
  const covered = (table: string, role: ProtectedTable['role']) =>
    tables.some((t) => t.table === table && t.role === role && t.covered);
  const references = (await loadProtectionSpec(db)).map((r) => ({
    ...r,
    covered: covered(r.sourceTable, 'SOURCE') && covered(r.targetTable, 'TARGET'),
  }));
  return {
    switchedOn: value?.enabled ?? false,
    since: value?.since ? new Date(value.since) : null,
    tables,
    references,
  };
}

/** What protection covers right now, read from the catalog (the triggers are the truth). */
export async function protectionStatus(db: Db): Promise<ProtectionStatus> {
  const { since, tables, references } = await protectionCoverage(db);
  return {
    enabled: tables.length > 0 && tables.every((t) => t.covered),
    since,
    tables,
    pendingEvents: await countOpenEvents(db),
    references,
    skipped: (await planDiscovery(db)).skipped,
  };
}

/** Events the triggers recorded that are not resolved or repaired yet. */
async function countOpenEvents(db: Db): Promise<number> {
  const [row] = await db.query(
    `select count(*)::int as n from bpetl.orphan_events where resolved_at is null`,
  );
  return row.n;
}

/** Attaches detection triggers to every table of the spec (idempotent). */
export async function enableProtection(db: Db): Promise<ProtectionStatus> {
  await db.query(`select bpetl.enable_protection()`);
  return protectionStatus(db);
}

/**
 * Detaches them. Orphans created while it is off are not recorded: `emergencyRepair` finds them
 * with a full scan.
 */
export async function disableProtection(db: Db): Promise<ProtectionStatus> {
  await db.query(`select bpetl.disable_protection()`);
  return protectionStatus(db);
}
