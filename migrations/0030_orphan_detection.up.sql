-- Real-time orphan detection. Statement-level triggers with transition tables, generated from the
-- protection spec, write every newly dangling reference set-based to bpetl.orphan_events and send
-- one small NOTIFY (the table name; the listener re-reads the table). Protection is on from here.

create table bpetl.orphan_events (
  -- The stream's sequence number: subscribers resume with it (`after`).
  id bigserial primary key,
  reference text not null,
  source_table text not null,
  source_column text not null,
  row_id bigint not null,
  -- The raw value that no longer resolves (for a nulled reference, the value it had).
  missing_ref text not null,
  target_table text not null,
  target_column text not null,
  -- Natural key of the vanished target (league code, club, series, team name, alias, …), taken from
  -- the OLD transition table so a repair can re-match even without a snapshot.
  context jsonb,
  -- DELETE / UPDATE / TRUNCATE (the target changed), INSERT / REPOINT (the row points nowhere),
  -- SET_NULL (an ON DELETE SET NULL foreign key cleared it), SCAN (found by a full scan).
  cause text not null,
  xid xid8 not null default pg_current_xact_id(),
  detected_at timestamptz not null default statement_timestamp(),
  resolved_at timestamptz,
  -- ROW_DELETED, REPOINTED, TARGET_RESTORED, REPAIRED.
  resolution text
);

-- One open event per row and missing value, however many statements notice it.
create unique index orphan_events_open on bpetl.orphan_events (reference, row_id, missing_ref)
  where resolved_at is null;
create index orphan_events_xid on bpetl.orphan_events (xid);

-- Natural keys of rows that vanished in a transaction, for events recorded later in it (the
-- ON DELETE SET NULL case). Rows of finished transactions are swept by the listener.
create unlogged table bpetl.vanished_targets (
  xid xid8 not null default pg_current_xact_id(),
  target_table text not null,
  target_column text not null,
  k text not null,
  context jsonb
);
create index vanished_targets_lookup on bpetl.vanished_targets (xid, target_table, target_column, k);

-- Event ids must become visible in id order, or a reader that saw id n+1 would skip n when it
-- commits later. Writers serialise on this lock from their first event to their commit; orphans
-- are rare, so the wait is too.
create function bpetl.lock_orphan_events() returns void
language sql as $$ select pg_advisory_xact_lock(1651535717) $$;

-- The column naming a row in events: `id`, else the single-column primary key (user_contexts).
create function bpetl.row_key(tbl text) returns text
language sql stable as $$
  select coalesce(
    (select 'id' from pg_attribute where attrelid = to_regclass(format('public.%I', tbl))
        and attname = 'id' and not attisdropped),
    (select a.attname::text from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid = to_regclass(format('public.%I', tbl)) and i.indisprimary and i.indnatts = 1))
$$;

-- SQL selecting (k, ctx): the natural-key context of each row of `rel` (a transition table or the
-- table itself), keyed by the referenced column as text. Identifiers come from the spec only.
create function bpetl.orphan_context_sql(target text, key_column text, rel text) returns text
language sql immutable as $$
  select case target
    when 'teams' then format(
      $q$select distinct on (o.%1$I::text) o.%1$I::text as k,
                jsonb_build_object('league', l.league_id, 'club', c.name, 'series', s.name,
                                   'teamName', o.team_name, 'teamAlias', o.team_alias) as ctx
           from %2$s o left join leagues l on l.id = o.league_id
           left join clubs c on c.id = o.club_id left join series s on s.id = o.series_id$q$, key_column, rel)
    when 'players' then format(
      $q$select distinct on (o.%1$I::text) o.%1$I::text as k,
                jsonb_build_object('externalId', o.tenniscores_player_id, 'firstName', o.first_name,
                                   'lastName', o.last_name, 'league', l.league_id, 'club', c.name,
                                   'series', s.name) as ctx
           from %2$s o left join leagues l on l.id = o.league_id
           left join clubs c on c.id = o.club_id left join series s on s.id = o.series_id
          order by o.%1$I::text, o.is_active desc$q$, key_column, rel)
    when 'series' then format(
      $q$select distinct on (o.%1$I::text) o.%1$I::text as k,
                jsonb_build_object('series', o.name, 'league', l.league_id) as ctx
           from %2$s o left join leagues l on l.id = o.league_id$q$, key_column, rel)
    else format($q$select distinct on (o.%1$I::text) o.%1$I::text as k, to_jsonb(o) as ctx from %2$s o$q$,
                key_column, rel)
  end
$$;

-- Rows of a protected table (aliased s, filter unqualified) whose reference does not resolve.
create function bpetl.dangling_sql(ref bpetl.protected_references, rel text) returns text
language sql stable as $$
  select format(
    $q$select s.%1$I::bigint as row_id, s.%2$I::text as missing_ref from %3$s s
        where s.%2$I is not null%4$s
          and not exists (select 1 from %5$I t where t.%6$I = s.%2$I)$q$,
    bpetl.row_key(ref.source_table), ref.source_column, rel,
    case when ref.row_filter is null then '' else format(' and (%s)', ref.row_filter) end,
    ref.target_table, ref.target_column)
$$;

-- INSERT on a protected table: new rows pointing nowhere.
create function bpetl.tg_orphan_source_insert() returns trigger
language plpgsql as $$
declare
  ref bpetl.protected_references;
  dangling text;
  found_any boolean;
  notify boolean := false;
begin
  for ref in select * from bpetl.protected_references where source_table = tg_table_name loop
    dangling := bpetl.dangling_sql(ref, 'new_rows');
    -- count(*), not exists(): under exists() the planner picks a fast-start nested loop (one index
    -- probe per new row); a count gets a hash anti-join, which keeps a 100k-row insert within ~1 %.
    execute format('select count(*) > 0 from (%s) d', dangling) into found_any;
    if found_any then
      perform bpetl.lock_orphan_events();
      execute format(
        $q$insert into bpetl.orphan_events
             (reference, source_table, source_column, row_id, missing_ref, target_table, target_column, cause)
           select $1, $2, $3, d.row_id, d.missing_ref, $4, $5, 'INSERT' from (%s) d order by d.row_id
           on conflict do nothing$q$, dangling)
        using ref.name, ref.source_table, ref.source_column, ref.target_table, ref.target_column;
      notify := true;
    end if;
  end loop;
  if notify then
    perform pg_notify('bpetl_orphan_event', tg_table_name);
  end if;
  return null;
end;
$$;

-- UPDATE on a protected table: a reference re-pointed to nothing, or cleared (ON DELETE SET NULL)
-- while its target is gone.
create function bpetl.tg_orphan_source_update() returns trigger
language plpgsql as $$
declare
  ref bpetl.protected_references;
  rk text := bpetl.row_key(tg_table_name);
  changed text;
  dangling text;
  found_any boolean;
  notify boolean := false;
begin
  for ref in select * from bpetl.protected_references where source_table = tg_table_name loop
    -- The new row with its old value beside it; the spec's filter then names the new row's columns.
    changed := format(
      $q$(select n.*, o.%2$I as bpetl_old_value from new_rows n join old_rows o on o.%1$I = n.%1$I
           where n.%2$I is distinct from o.%2$I)$q$, rk, ref.source_column);
    dangling := format(
      $q$select s.%1$I::bigint as row_id, s.%2$I::text as missing_ref, 'REPOINT' as cause from %3$s s
          where s.%2$I is not null%4$s and not exists (select 1 from %5$I t where t.%6$I = s.%2$I)
         union all
         select s.%1$I::bigint, s.bpetl_old_value::text, 'SET_NULL' from %3$s s
          where s.%2$I is null and s.bpetl_old_value is not null%4$s
            and not exists (select 1 from %5$I t where t.%6$I = s.bpetl_old_value)$q$,
      rk, ref.source_column, changed,
      case when ref.row_filter is null then '' else format(' and (%s)', ref.row_filter) end,
      ref.target_table, ref.target_column);
    execute format('select count(*) > 0 from (%s) d', dangling) into found_any;
    if found_any then
      perform bpetl.lock_orphan_events();
      execute format(
        $q$insert into bpetl.orphan_events
             (reference, source_table, source_column, row_id, missing_ref, target_table, target_column, cause,
              context)
           select $1, $2, $3, d.row_id, d.missing_ref, $4, $5, d.cause, v.context
             from (%s) d
             left join lateral (select v.context from bpetl.vanished_targets v
                                 where v.xid = pg_current_xact_id() and v.target_table = $4
                                   and v.target_column = $5 and v.k = d.missing_ref limit 1) v on true
            order by d.row_id
           on conflict do nothing$q$, dangling)
        using ref.name, ref.source_table, ref.source_column, ref.target_table, ref.target_column;
      notify := true;
    end if;
  end loop;
  if notify then
    perform pg_notify('bpetl_orphan_event', tg_table_name);
  end if;
  return null;
end;
$$;

-- DELETE or key UPDATE on a referenced table: rows pointing at keys that vanished, each with the
-- vanished row's natural key read from the OLD transition table.
create function bpetl.tg_orphan_target_change() returns trigger
language plpgsql as $$
declare
  ref bpetl.protected_references;
  vanished text;
  dangling text;
  found_any boolean;
  notify boolean := false;
begin
  for ref in select * from bpetl.protected_references where target_table = tg_table_name loop
    vanished := case tg_op
      when 'DELETE' then format('select o.%1$I from old_rows o', ref.target_column)
      else format('select o.%1$I from old_rows o except select n.%1$I from new_rows n', ref.target_column)
    end;
    execute format('select exists (%s)', vanished) into found_any;
    continue when not found_any;
    dangling := bpetl.dangling_sql(ref, format('(select * from %I where %I in (%s))',
                                                ref.source_table, ref.source_column, vanished));
    execute format('select count(*) > 0 from (%s) d', dangling) into found_any;
    if found_any then
      perform bpetl.lock_orphan_events();
      execute format(
        $q$insert into bpetl.orphan_events
             (reference, source_table, source_column, row_id, missing_ref, target_table, target_column, cause,
              context)
           select $1, $2, $3, d.row_id, d.missing_ref, $4, $5, $6, c.ctx
             from (%s) d left join (%s) c on c.k = d.missing_ref order by d.row_id
           on conflict do nothing$q$,
        dangling, bpetl.orphan_context_sql(tg_table_name, ref.target_column, 'old_rows'))
        using ref.name, ref.source_table, ref.source_column, ref.target_table, ref.target_column, tg_op;
      notify := true;
    end if;
  end loop;
  -- An ON DELETE SET NULL / SET DEFAULT action clears the referencing rows before this trigger
  -- runs, and its own UPDATE triggers fire after it: leave the context where they will look.
  if exists (select 1 from pg_constraint where contype = 'f' and confrelid = tg_relid
                and (confdeltype in ('n', 'd') or confupdtype in ('n', 'd'))) then
    for ref in select distinct on (target_column) * from bpetl.protected_references
                where target_table = tg_table_name loop
      execute format(
        $q$insert into bpetl.vanished_targets (target_table, target_column, k, context)
           select $1, $2, c.k, c.ctx from (%s) c%s$q$,
        bpetl.orphan_context_sql(tg_table_name, ref.target_column, 'old_rows'),
        case when tg_op = 'UPDATE'
          then format(' where c.k not in (select n.%I::text from new_rows n)', ref.target_column) else '' end)
        using ref.target_table, ref.target_column;
    end loop;
  end if;
  if notify then
    perform pg_notify('bpetl_orphan_event', tg_table_name);
  end if;
  return null;
end;
$$;

-- TRUNCATE has no transition tables: before it, every row referencing the table is recorded with
-- its target's context; after it, events for rows a CASCADE truncated with it are dropped again.
create function bpetl.tg_orphan_target_truncate() returns trigger
language plpgsql as $$
declare
  ref bpetl.protected_references;
  referencing text;
begin
  for ref in select * from bpetl.protected_references where target_table = tg_table_name loop
    if tg_when = 'BEFORE' then
      referencing := format(
        $q$select s.%1$I::bigint as row_id, s.%2$I::text as missing_ref from %3$I s
            where s.%2$I is not null%4$s$q$,
        bpetl.row_key(ref.source_table), ref.source_column, ref.source_table,
        case when ref.row_filter is null then '' else format(' and (%s)', ref.row_filter) end);
      perform bpetl.lock_orphan_events();
      execute format(
        $q$insert into bpetl.orphan_events (reference, source_table, source_column, row_id, missing_ref,
                                            target_table, target_column, cause, context)
           select $1, $2, $3, d.row_id, d.missing_ref, $4, $5, 'TRUNCATE', c.ctx
             from (%s) d left join (%s) c on c.k = d.missing_ref order by d.row_id
           on conflict do nothing$q$,
        referencing, bpetl.orphan_context_sql(tg_table_name, ref.target_column, format('%I', tg_table_name)))
        using ref.name, ref.source_table, ref.source_column, ref.target_table, ref.target_column;
    else
      execute format(
        $q$delete from bpetl.orphan_events e
            where e.xid = pg_current_xact_id() and e.reference = $1 and e.cause = 'TRUNCATE'
              and not exists (select 1 from %I s where s.%I = e.row_id)$q$,
        ref.source_table, bpetl.row_key(ref.source_table))
        using ref.name;
    end if;
  end loop;
  if tg_when = 'AFTER' and exists (select 1 from bpetl.orphan_events
                                    where xid = pg_current_xact_id() and target_table = tg_table_name) then
    perform pg_notify('bpetl_orphan_event', tg_table_name);
  end if;
  return null;
end;
$$;

-- Detaches every detection trigger; the switch state is recorded in bpetl.settings.
create function bpetl.disable_protection() returns void
language plpgsql as $$
declare
  trg record;
begin
  for trg in select c.relname, t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
              where c.relnamespace = 'public'::regnamespace and t.tgname like 'bpetl\_orphan\_%' loop
    execute format('drop trigger %I on %I', trg.tgname, trg.relname);
  end loop;
  insert into bpetl.settings (key, value) values ('protection', jsonb_build_object('enabled', false, 'since', now()))
  on conflict (key) do update set value = excluded.value, updated_at = now();
end;
$$;

-- Attaches detection to every table of the spec (idempotent: it re-attaches from the current
-- spec). ENABLE ALWAYS: they fire under session_replication_role = replica too, where foreign keys
-- do not.
create function bpetl.enable_protection() returns void
language plpgsql as $$
declare
  t text;
  was_enabled boolean;
  since timestamptz;
begin
  select (value->>'enabled')::boolean, (value->>'since')::timestamptz into was_enabled, since
    from bpetl.settings where key = 'protection';
  perform bpetl.disable_protection();
  for t in select distinct source_table from bpetl.protected_references loop
    execute format($q$create trigger bpetl_orphan_source_insert after insert on %I
                      referencing new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_insert()$q$, t);
    execute format($q$create trigger bpetl_orphan_source_update after update on %I
                      referencing old table as old_rows new table as new_rows for each statement
                      execute function bpetl.tg_orphan_source_update()$q$, t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_insert', t);
    execute format('alter table %I enable always trigger bpetl_orphan_source_update', t);
  end loop;
  for t in select distinct target_table from bpetl.protected_references loop
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
  update bpetl.settings
     set value = jsonb_build_object('enabled', true,
                                    'since', case when was_enabled then since else now() end)
   where key = 'protection';
end;
$$;

-- A reference added to the spec is covered at once when protection is on.
create function bpetl.tg_protected_references__reattach() returns trigger
language plpgsql as $$
begin
  if (select (value->>'enabled')::boolean from bpetl.settings where key = 'protection') then
    perform bpetl.enable_protection();
  end if;
  return null;
end;
$$;

create trigger _500_reattach_protection after insert or update or delete on bpetl.protected_references
  for each statement execute function bpetl.tg_protected_references__reattach();

select bpetl.enable_protection();
