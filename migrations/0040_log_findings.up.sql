-- Log monitor: findings deduplicated by fingerprint, follow offsets, per-minute hits for threshold
-- windows, and the alerts those thresholds raise. Subscribers are told through NOTIFY (ids only).

create table bpetl.log_findings (
  fingerprint text primary key,
  id bigint generated always as identity unique,
  category text not null,
  count bigint not null check (count > 0),
  first_seen timestamptz,
  last_seen timestamptz,
  files text[] not null default '{}',
  sample text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index log_findings_category_last_seen on bpetl.log_findings (category, last_seen desc nulls last);
create index log_findings_updated_at on bpetl.log_findings (updated_at);

-- Where a follower stopped in each file. A file is known by its identity (device and inode), not
-- its name, so a rotated file keeps its offset under its new name and a new file starts at zero.
create table bpetl.log_offsets (
  dev bigint not null,
  ino bigint not null,
  path text not null,
  "offset" bigint not null check ("offset" >= 0),
  updated_at timestamptz not null default now(),
  primary key (dev, ino)
);

-- Occurrences per category and minute (of the log's own time), for "count in a window" thresholds.
create table bpetl.log_finding_hits (
  category text not null,
  bucket timestamptz not null,
  count bigint not null check (count > 0),
  primary key (category, bucket)
);

create table bpetl.log_alerts (
  id bigint generated always as identity primary key,
  category text not null,
  count bigint not null,
  threshold integer not null check (threshold > 0),
  window_seconds integer not null check (window_seconds > 0),
  raised_at timestamptz not null default now()
);

create index log_alerts_category_raised_at on bpetl.log_alerts (category, raised_at desc);

-- One notification per category per statement, carrying ids only (NOTIFY payloads are capped at
-- 8000 bytes; 50 ids stay far below it, and a listener re-reads by category when there are more).
create function bpetl.tg_log_findings__notify() returns trigger
language plpgsql as $$
begin
  perform pg_notify('bpetl_log_finding', json_build_object('category', category, 'ids', ids)::text)
     from (select category, (array_agg(id order by id))[1:50] as ids
             from changed group by category) per_category;
  return null;
end;
$$;

create trigger _900_notify_insert after insert on bpetl.log_findings
  referencing new table as changed for each statement execute function bpetl.tg_log_findings__notify();
create trigger _900_notify_update after update on bpetl.log_findings
  referencing new table as changed for each statement execute function bpetl.tg_log_findings__notify();

create function bpetl.tg_log_alerts__notify() returns trigger
language plpgsql as $$
begin
  perform pg_notify('bpetl_log_alert', json_build_object('id', new.id, 'category', new.category)::text);
  return null;
end;
$$;

create trigger _900_notify_insert after insert on bpetl.log_alerts
  for each row execute function bpetl.tg_log_alerts__notify();
