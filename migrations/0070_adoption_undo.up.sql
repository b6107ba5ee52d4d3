-- Adoption, continued. A change the tool made to an application table can be undone on its own
-- (and is then not made again); constraint repairs point at the change they recorded and may
-- protect references; rows an ON DELETE CASCADE deleted below a protected row (a poll's choices and
-- responses, deleted with the poll, deleted with its team) are kept with that row's event, so a
-- repair that re-inserts the row puts them back too.

alter table bpetl.schema_changes add column undone_at timestamptz;

alter table bpetl.constraint_repairs
  -- The bpetl.schema_changes row of this action (undoSchemaChange takes it back), if any.
  add column schema_change_id bigint,
  drop constraint constraint_repair_kind,
  add constraint constraint_repair_kind
    check (kind in ('MERGE_DUPLICATES', 'ADD_CONSTRAINT', 'CHANGE_ON_DELETE', 'PROTECT_REFERENCE'));

-- Rows a repair re-inserted (the row an ON DELETE CASCADE deleted, and what went with it): such a
-- repair is not undone by re-pointing, it would take the row's place.
alter table bpetl.repairs add column reinserted integer not null default 0;

-- Rows deleted by a cascade below a row an event keeps (orphan_events.lost_row), level by level.
create table bpetl.lost_rows (
  id bigserial primary key,
  event_id bigint not null references bpetl.orphan_events (id) on delete cascade,
  table_name text not null,
  row_data jsonb not null,
  -- 1 for a row that hung from the event's own row, 2 below that, …
  depth integer not null,
  xid xid8 not null default pg_current_xact_id(),
  -- Set when the repair of its event put it back (or found a row with its key already there).
  restored_at timestamptz,
  repair_id bigint references bpetl.repairs (id)
);
create index lost_rows_event on bpetl.lost_rows (event_id);
create index lost_rows_xid on bpetl.lost_rows (xid, table_name);

-- DELETE on a table below a protected one (ON DELETE CASCADE): the deleted rows whose parent row was
-- kept in this transaction, by an event (lost_row) or by this trigger one level up, are kept too.
-- A cascade fires its children's triggers after its own table's, so the parents are there already.
create function bpetl.tg_orphan_cascade_delete() returns trigger
language plpgsql as $$
declare
  fk record;
  cond text;
begin
  if not exists (select 1 from bpetl.orphan_events
                  where xid = pg_current_xact_id() and lost_row is not null) then
    return null;
  end if;
  for fk in
    select p.relname::text as parent,
           array_agg(ca.attname::text order by k.ord) as cols,
           array_agg(pa.attname::text order by k.ord) as parent_cols
      from pg_constraint c
      join pg_class p on p.oid = c.confrelid
      cross join lateral unnest(c.conkey, c.confkey) with ordinality as k(ck, pk, ord)
      join pg_attribute ca on ca.attrelid = c.conrelid and ca.attnum = k.ck
      join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = k.pk
     where c.contype = 'f' and c.confdeltype = 'c' and c.conrelid = tg_relid
     group by c.oid, p.relname
  loop
    select string_agg(format('o.%I::text = l.r ->> %L', x.c, x.pc), ' and ') into cond
      from unnest(fk.cols, fk.parent_cols) x(c, pc);
    execute format(
      $q$insert into bpetl.lost_rows (event_id, table_name, row_data, depth)
         select distinct on (o.bpetl_row::text) l.event_id, $1, o.bpetl_row, l.depth + 1
           from (select to_jsonb(o) as bpetl_row, o.* from old_rows o) o
           join (select e.id as event_id, e.lost_row as r, 0 as depth from bpetl.orphan_events e
                  where e.xid = pg_current_xact_id() and e.source_table = $2 and e.lost_row is not null
                 union all
                 select x.event_id, x.row_data, x.depth from bpetl.lost_rows x
                  where x.xid = pg_current_xact_id() and x.table_name = $2) l on %s
          where not exists (select 1 from bpetl.lost_rows x where x.xid = pg_current_xact_id()
                               and x.table_name = $1 and x.row_data = o.bpetl_row)
          order by o.bpetl_row::text, l.event_id$q$, cond)
      using tg_table_name, fk.parent;
  end loop;
  return null;
end;
$$;

-- As in 0050, plus the cascade catcher on every table below a protected one.
create or replace function bpetl.enable_protection() returns void
language plpgsql as $$
declare
  t text;
  was_enabled boolean;
  since timestamptz;
begin
  select (value->>'enabled')::boolean, (value->>'since')::timestamptz into was_enabled, since
    from bpetl.settings where key = 'protection';
  perform bpetl.disable_protection();
  for t in select distinct source_table from bpetl.protected_references
            where to_regclass(format('public.%I', source_table)) is not null loop
    execute format($q$create trigger bpetl_orphan_source_insert after insert on %I
                      referencing new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_insert()$q$, t);
    execute format($q$create trigger bpetl_orphan_source_update after update on %I
                      referencing old table as old_rows new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_update()$q$, t);
    execute format($q$create trigger bpetl_orphan_source_delete after delete on %I
                      referencing old table as old_rows for each statement
                      execute function bpetl.tg_orphan_source_delete()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_insert', t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_update', t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_delete', t);
  end loop;
  for t in select distinct target_table from bpetl.protected_references
            where to_regclass(format('public.%I', target_table)) is not null loop
    execute format($q$create trigger bpetl_orphan_target_delete after delete on %I
                      referencing old table as old_rows for each statement
                      execute function bpetl.tg_orphan_target_change()$q$, t);
    execute format($q$create trigger bpetl_orphan_target_update after update on %I
                      referencing old table as old_rows new table as new_rows for each statement
                      execute function bpetl.tg_orphan_target_change()$q$, t);
    execute format($q$create trigger bpetl_orphan_target_truncate_before before truncate on %I
                      for each statement execute function bpetl.tg_orphan_target_truncate()$q$, t);
    execute format($q$create trigger bpetl_orphan_target_truncate_after after truncate on %I
                      for each statement execute function bpetl.tg_orphan_target_truncate()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_delete', t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_update', t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_truncate_before', t);
    execute format('alter table %I enable always trigger bpetl_orphan_target_truncate_after', t);
  end loop;
  -- Tables below a protected table through ON DELETE CASCADE (poll_choices under polls, …): what
  -- a cascade deletes there with a protected row is kept beside that row's event.
  for t in with recursive below(rel) as (
             select c.conrelid from pg_constraint c
              where c.contype = 'f' and c.confdeltype = 'c'
                and c.confrelid in (select to_regclass(format('public.%I', source_table))
                                      from bpetl.protected_references)
             union
             select c.conrelid from pg_constraint c join below b on c.confrelid = b.rel
              where c.contype = 'f' and c.confdeltype = 'c')
           select distinct cl.relname::text from below b join pg_class cl on cl.oid = b.rel
            where cl.relnamespace = 'public'::regnamespace loop
    execute format($q$create trigger bpetl_orphan_cascade_delete after delete on %I
                      referencing old table as old_rows for each statement
                      execute function bpetl.tg_orphan_cascade_delete()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_cascade_delete', t);
  end loop;
  update bpetl.settings
     set value = jsonb_build_object('enabled', true,
                                    'since', case when was_enabled then since else now() end)
   where key = 'protection';
end;
$$;

select bpetl.enable_protection();
