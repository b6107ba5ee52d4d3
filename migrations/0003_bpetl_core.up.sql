-- The tool's own state lives in schema bpetl (created by the migrator), apart from the application's.

create table bpetl.settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
