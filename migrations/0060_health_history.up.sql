-- Health history: one row each time the report changes (score, status or counts), appended by the
-- serving process's health watcher and pruned by age, for `healthHistory(since)` and its charts.

create table bpetl.health_history (
  id bigserial primary key,
  checked_at timestamptz not null default now(),
  score smallint not null check (score between 0 and 100),
  status text not null check (status in ('HEALTHY', 'DEGRADED', 'CRITICAL')),
  types jsonb not null,
  checks jsonb not null
);
create index health_history_checked_at on bpetl.health_history (checked_at);
