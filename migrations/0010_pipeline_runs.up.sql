-- Pipeline runs and their progress events. Events are written outside the run's transaction (on
-- their own connection) so subscribers see them while the run is still open.

create table bpetl.pipeline_runs (
  id bigserial primary key,
  status text not null default 'QUEUED',
  dry_run boolean not null default false,
  -- What was asked: source, leagues, allowShrink (never an uploaded file's content).
  input jsonb not null default '{}'::jsonb,
  stats jsonb,
  -- { code, message, details } of the failure, if any.
  error jsonb,
  -- The backend holding the run's transaction and advisory lock; a RUNNING run whose backend no
  -- longer holds the lock was left behind by a dead process.
  backend_pid integer,
  cancel_requested boolean not null default false,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  constraint pipeline_run_status check
    (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'))
);
create index pipeline_runs_active_idx on bpetl.pipeline_runs (status) where status in ('QUEUED', 'RUNNING');

create table bpetl.pipeline_events (
  id bigserial primary key,
  run_id bigint not null references bpetl.pipeline_runs (id) on delete cascade,
  step text not null,
  status text not null,
  done bigint,
  total bigint,
  message text not null default '',
  at timestamptz not null default clock_timestamp()
);
create index pipeline_events_run_idx on bpetl.pipeline_events (run_id, id);
