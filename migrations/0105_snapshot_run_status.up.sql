-- A run's snapshot is committed on its own connection before the run changes anything, so a run
-- that fails or rolls back keeps it. It carries the run's status, written with the run's end, so
-- retention can keep the newest snapshot of a failed run until a later run succeeds.
alter table bpetl.snapshots add column run_status text;

-- Snapshots taken before this column: a run's snapshot then only survived if the run committed.
update bpetl.snapshots s set run_status = r.status
  from bpetl.pipeline_runs r where s.run_id = r.id::text;
update bpetl.snapshots set run_status = case when released then 'SUCCEEDED' else 'FAILED' end
 where run_id is not null and run_status is null;
