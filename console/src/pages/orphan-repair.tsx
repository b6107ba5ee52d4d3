import { request, unwrap } from '../api.ts';
import { ErrorNote } from '../components/notes.tsx';
import { useAction } from '../hooks.ts';

export interface RepairPlan {
  dryRun: boolean;
  examined: number;
  repaired: Array<{
    eventId: string;
    table: string;
    rowId: string;
    column: string;
    oldValue: string | null;
    newValue: string;
    strategy: string;
  }>;
  quarantined: Array<{ eventId: string; table: string; rowId: string; reason: string }>;
}

const REPAIR = `mutation RepairOrphans($dryRun: Boolean!) {
  repairOrphans(dryRun: $dryRun) {
    __typename
    ... on RepairReport {
      dryRun examined
      repaired { eventId table rowId column oldValue newValue strategy }
      quarantined { eventId table rowId reason }
    }
    ... on OperationError { code message details }
  }
}`;

async function repair(dryRun: boolean): Promise<RepairPlan> {
  const data = await request<{ repairOrphans: RepairPlan & { __typename: string } }>(REPAIR, { dryRun });
  return unwrap(data.repairOrphans);
}

interface Props {
  plan: RepairPlan | null;
  onPlan: (plan: RepairPlan | null) => void;
  onRepaired: (report: RepairPlan) => void;
}

/** Repair is offered only after a dry run has shown, per row, what it would be re-pointed to. */
export function RepairPanel({ plan, onPlan, onRepaired }: Props) {
  const action = useAction(repair);
  const dryRun = async () => {
    const report = await action.run(true);
    if (report) onPlan(report);
  };
  const apply = async () => {
    const report = await action.run(false);
    if (!report) return;
    onPlan(null);
    onRepaired(report);
  };
  return (
    <article>
      <div class="actions">
        <button type="button" class="secondary" disabled={action.pending} onClick={() => void dryRun()}>
          Plan repair (dry run)
        </button>
        <button type="button" disabled={!plan || action.pending} onClick={() => void apply()}>
          Repair {plan ? `${plan.repaired.length} row(s)` : ''}
        </button>
      </div>
      {plan && (
        <p data-testid="repair-plan" aria-live="polite">
          Dry run: {plan.examined} open event(s) examined; {plan.repaired.length} would be re-pointed (see the
          table), {plan.quarantined.length} would be quarantined. Nothing has changed yet.
        </p>
      )}
      <ErrorNote error={action.error} />
    </article>
  );
}
