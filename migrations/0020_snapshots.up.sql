-- Snapshots: durable copies of every protected reference of every user row, with the natural key of
-- what each one pointed at, so restore can re-point a row even after its target got a new id.
-- Logged tables on purpose: a snapshot exists to survive a crash in the middle of an import.

-- Case- and space-insensitive name comparison, as clubs.name_key; also usable on legacy databases
-- whose clubs table lacks that column.
create function bpetl.name_key(value text) returns text
  language sql immutable parallel safe
  return lower(regexp_replace(btrim(value), '\s+', ' ', 'g'));

create table bpetl.snapshots (
  id bigserial primary key,
  created_at timestamptz not null default now(),
  note text,
  -- The pipeline run that took it (text: the runs table belongs to the pipeline and may change type).
  run_id text,
  -- A run's snapshot is kept until the run releases it (succeeded); a failed run never does.
  released boolean not null default true,
  rows bigint not null default 0,
  by_type jsonb not null default '[]'::jsonb
);
create index snapshots_run_idx on bpetl.snapshots (run_id) where run_id is not null;

create table bpetl.snapshot_rows (
  -- No foreign key to bpetl.snapshots: checking it per row doubled the cost of a snapshot. Rows are
  -- written only with their snapshot, in its transaction, and pruning deletes them with it.
  snapshot_id bigint not null,
  -- The protection-spec entry (bpetl.protected_references.name).
  reference text not null,
  -- The user row's key (its id, or its single-column primary key).
  row_id bigint not null,
  -- The reference value as text (an id, or an external player id).
  value text,
  -- Natural-key context of the referenced row at snapshot time.
  league text,
  club text,
  club_key text,
  series text,
  team_name text,
  team_alias text,
  practice_name text,
  external_id text,
  first_name text,
  last_name text,
  primary key (snapshot_id, reference, row_id)
);
-- No second index by (reference, row_id): it would double the cost of taking a snapshot, and a row
-- is looked up through the primary key once per retained snapshot instead.

insert into bpetl.settings (key, value) values ('snapshot_retention', '10'::jsonb)
  on conflict (key) do nothing;

-- Every change restore made: which row, from what to what, and how the new value was found.
create table bpetl.restore_actions (
  id bigserial primary key,
  snapshot_id bigint,
  reference text not null,
  row_id bigint not null,
  old_value text,
  new_value text not null,
  strategy text not null,
  created_at timestamptz not null default now()
);
create index restore_actions_snapshot_idx on bpetl.restore_actions (snapshot_id);

-- Every action repairConstraints took (merges, added constraints), for audit.
create table bpetl.constraint_repairs (
  id bigserial primary key,
  kind text not null,
  table_name text not null,
  detail text not null,
  rows integer not null default 0,
  created_at timestamptz not null default now(),
  constraint constraint_repair_kind check (kind in ('MERGE_DUPLICATES', 'ADD_CONSTRAINT'))
);
