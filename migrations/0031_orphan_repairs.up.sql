-- Audit of every orphan repair (old and new value, so it can be undone) and the quarantine:
-- rows no strategy could re-match uniquely are flagged and kept, never deleted and never guessed.

create table bpetl.repairs (
  id bigserial primary key,
  event_id bigint references bpetl.orphan_events (id),
  reference text not null,
  source_table text not null,
  source_column text not null,
  row_id bigint not null,
  -- Raw values as text; the column's own type is restored on undo.
  old_value text,
  new_value text not null,
  -- context, name, practice: which re-match strategy found the unique successor.
  strategy text not null,
  repaired_at timestamptz not null default now(),
  undone_at timestamptz
);
create index repairs_row on bpetl.repairs (reference, row_id);

create table bpetl.quarantine (
  id bigserial primary key,
  event_id bigint references bpetl.orphan_events (id),
  reference text not null,
  row_id bigint not null,
  missing_ref text not null,
  -- NO_MATCH or AMBIGUOUS (more than one candidate: never guessed).
  reason text not null,
  candidates integer not null default 0,
  flagged_at timestamptz not null default now(),
  released_at timestamptz
);
create unique index quarantine_open on bpetl.quarantine (reference, row_id, missing_ref) where released_at is null;
