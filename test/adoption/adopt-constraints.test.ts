import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../src/app/app.ts';
import { migrate } from '../../src/app/migrate.ts';
import { loadConfig } from '../../src/config.ts';
import { migrateDown } from '../../src/db/migrate.ts';
import { createYogaServer } from '../../src/server/yoga.ts';
import { repairConstraints } from '../../src/services/constraints/repair.ts';
import { validateConstraints } from '../../src/services/constraints/validate.ts';
import { checkHealth } from '../../src/services/health/report.ts';
import { removeProtectedReference } from '../../src/services/protection/entries.ts';
import { disableProtection, protectionStatus } from '../../src/services/protection/switch.ts';
import { runCli } from '../helpers/cli.ts';
import {
  APPLICATION_CONSTRAINTS,
  createScratchDatabase,
  LATER_TABLES,
  loadPlatformSchema,
  type ScratchDatabase,
} from './platform.ts';

const scratch: ScratchDatabase[] = [];
let app: RunningApp | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
});
afterAll(async () => {
  for (const db of scratch) await db.drop();
});

/** The platform's schema with the later tables, adopted. */
async function adopted(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase();
  scratch.push(db);
  await loadPlatformSchema(db.url);
  await db.query(LATER_TABLES);
  await migrate(db.url);
  app = await createApp(loadConfig({}), db.url);
  return db;
}

function graphql(running: RunningApp) {
  const yoga = createYogaServer(running);
  return async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => {
    const response = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
}

interface Issue {
  check: string;
  severity: string;
  table: string;
  subject: string;
  message: string;
  fix: string;
}

const VALIDATE = `mutation { validateConstraints { ... on ValidationReport {
  issues { check severity table subject message rows fix } } } }`;

describe('validateConstraints on an adopted database', () => {
  it('reports unprotected references, each with its fix (GraphQL `fix`), and repairConstraints protects them', async () => {
    const db = await adopted();
    const gql = graphql(app!);
    // A table the platform added after the last discovery, one entry an operator removed, and a
    // detection trigger someone set to fire only outside replica mode.
    await db.query(`
      create table public.match_notes (id serial primary key, team_id integer references public.teams (id),
                                       note text)`);
    await app!.db.transaction((tx) => removeProtectedReference(tx, 'user_instructions.series_id'));
    await db.query(`alter table polls enable trigger bpetl_orphan_source_insert`);

    const { validateConstraints: report } = await gql<{ validateConstraints: { issues: Issue[] } }>(VALIDATE);
    const bySubject = (check: string) =>
      Object.fromEntries(
        report.issues.filter((i) => i.check === check).map((i) => [i.subject, [i.severity, i.fix]]),
      );
    expect(bySubject('UNPROTECTED_REFERENCE')).toEqual({
      'match_notes.team_id': [
        'WARNING',
        'repairConstraints adds it to the protection spec, as `bpetl protection discover` does ' +
          '(or: bpetl protection add match_notes.team_id --references teams.id --rematch team)',
      ],
      'polls.team_id': [
        'WARNING',
        'repairConstraints re-attaches the detection triggers (ENABLE ALWAYS), as `bpetl protection enable` does',
      ],
      'user_instructions.series_id': [
        'INFO',
        "none automatic (an operator's choice); to protect it again: " +
          'bpetl protection add user_instructions.series_id --references series.id --rematch series',
      ],
    });
    // Every other check of an adopted platform carries its fix as well.
    expect(bySubject('CASCADE_REFERENCE')).toEqual({
      'saved_lineups.team_id': [
        'WARNING',
        expect.stringMatching(
          /^repairConstraints changes the foreign key to ON DELETE NO ACTION .*undoSchemaChange/,
        ),
      ],
    });
    expect(bySubject('MISSING_FOREIGN_KEY')['polls.team_id']).toEqual([
      'WARNING',
      'repairConstraints adds the foreign key (NOT VALID until no row dangles)',
    ]);
    expect(report.issues.every((i) => i.fix.length > 0 && i.message.length > 0)).toBe(true);
    const health = await checkHealth(app!.db.manager);
    // 5 each: two unprotected references (not the operator's removal), one CASCADE, missing keys.
    expect(health.checks.find((c) => c.check === 'UNPROTECTED_REFERENCE')).toMatchObject({
      issues: 3,
      penalty: 10,
    });

    const repaired = await repairConstraints(app!.db);
    expect(
      repaired.actions.filter((a) => a.kind === 'PROTECT_REFERENCE').map((a) => [a.table, a.detail]),
    ).toEqual([
      [
        'match_notes',
        'added match_notes.team_id to the protection spec (discovered) and attached its detection triggers',
      ],
      ['polls', 're-attached the detection triggers of polls.team_id'],
    ]);
    const after = (await validateConstraints(app!.db.manager)).filter(
      (i) => i.check === 'UNPROTECTED_REFERENCE',
    );
    expect(after.map((i) => [i.subject, i.severity])).toEqual([['user_instructions.series_id', 'INFO']]);
    const status = await protectionStatus(app!.db.manager);
    expect(status.references.find((r) => r.name === 'match_notes.team_id')).toMatchObject({
      origin: 'FOREIGN_KEY',
      covered: true,
    });
    expect(status.enabled).toBe(true);
    expect(await repairConstraints(app!.db)).toEqual({ actions: [], dryRun: false });

    // Switched off by an operator: one issue, and repairConstraints leaves the switch alone.
    await disableProtection(app!.db.manager);
    const off = (await validateConstraints(app!.db.manager)).filter(
      (i) => i.check === 'UNPROTECTED_REFERENCE',
    );
    expect(off.map((i) => [i.subject, i.severity])).toEqual([
      ['user_instructions.series_id', 'INFO'],
      ['protection', 'WARNING'],
    ]);
    expect(off[1]!.fix).toMatch(/^`bpetl protection enable`/);
    expect(await repairConstraints(app!.db)).toEqual({ actions: [], dryRun: false });
    expect((await protectionStatus(app!.db.manager)).enabled).toBe(false);
  }, 60_000);
});

interface Change {
  id: string;
  kind: string;
  table: string;
  object: string;
  undoneAt: string | null;
}

describe('what repairConstraints changed in application tables', () => {
  it('is undone one change at a time, through GraphQL and the CLI, and not made again', async () => {
    const db = await adopted();
    const before = await db.query(APPLICATION_CONSTRAINTS);
    const gql = graphql(app!);
    const { repairConstraints: result } = await gql<{
      repairConstraints: { actions: Array<{ kind: string; detail: string; changeId: string | null }> };
    }>(
      `mutation { repairConstraints { ... on ConstraintRepairResult { actions { kind detail changeId } } } }`,
    );
    const cascade = result.actions.find((a) => a.kind === 'CHANGE_ON_DELETE')!;
    expect(cascade.detail).toMatch(/saved_lineups_team_id_fkey .* CASCADE to NO ACTION/);
    expect(cascade.changeId).toMatch(/^\d+$/);
    const { schemaChanges } = await gql<{ schemaChanges: Change[] }>(
      `{ schemaChanges { id kind table object undoneAt } }`,
    );
    expect(schemaChanges.find((c) => c.id === cascade.changeId)).toMatchObject({
      kind: 'ALTER_FOREIGN_KEY',
      table: 'saved_lineups',
      object: 'saved_lineups_team_id_fkey',
      undoneAt: null,
    });
    const action = async () =>
      (
        await db.query<{ action: string }>(
          `select confdeltype as action from pg_constraint where conname = 'saved_lineups_team_id_fkey'`,
        )
      )[0]!.action;
    expect(await action()).toBe('a');

    const { undoSchemaChange } = await gql<{ undoSchemaChange: Change }>(
      `mutation ($id: ID!) { undoSchemaChange(id: $id) { ... on SchemaChange { id undoneAt } } }`,
      { id: cascade.changeId },
    );
    expect(undoSchemaChange.undoneAt).not.toBeNull();
    expect(await action()).toBe('c');
    const spec = await protectionStatus(app!.db.manager);
    expect(spec.references.find((r) => r.name === 'saved_lineups.team_id')?.onDelete).toBe('CASCADE');
    // Reported still, with what it means now; the next repair leaves it.
    const [issue] = (await validateConstraints(app!.db.manager)).filter(
      (i) => i.check === 'CASCADE_REFERENCE',
    );
    expect(issue!.fix).toMatch(
      /^none automatic: an operator put the CASCADE back \(schema change \d+ undone\)/,
    );
    expect((await repairConstraints(app!.db)).actions).toEqual([]);
    expect(await action()).toBe('c');
    const again = await gql<{ undoSchemaChange: { code: string; message: string } }>(
      `mutation ($id: ID!) { undoSchemaChange(id: $id) { ... on Error { code message } } }`,
      { id: cascade.changeId },
    );
    expect(again.undoSchemaChange).toMatchObject({ code: 'INVALID_INPUT', message: /already undone/ });

    // The CLI lists the changes and undoes a foreign key the repair added; a bpetl_id is refused.
    const env = { DATABASE_URL: db.url };
    const listed = await runCli(['protection', 'changes', '--json'], env);
    expect(listed.status).toBe(0);
    const changes = JSON.parse(listed.stdout) as Change[];
    const fk = changes.find((c) => c.object === 'bpetl_polls_team_id_fkey')!;
    expect(fk).toMatchObject({ kind: 'ADD_CONSTRAINT', table: 'polls', undoneAt: null });
    const undone = await runCli(['protection', 'undo-change', fk.id], env);
    expect(undone.status).toBe(0);
    expect(undone.stdout).toMatch(/ADD_CONSTRAINT +polls\.bpetl_polls_team_id_fkey +undone /);
    expect(await db.query(`select 1 from pg_constraint where conname = 'bpetl_polls_team_id_fkey'`)).toEqual(
      [],
    );
    expect((await repairConstraints(app!.db)).actions).toEqual([]);
    const column = changes.find((c) => c.kind === 'ADD_COLUMN')!;
    const refused = await runCli(['protection', 'undo-change', column.id], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/error INVALID_INPUT: .*cannot be undone on its own/);

    // Down to nothing: the application's constraints are as they were before adoption.
    await app!.close();
    app = null;
    await migrateDown(db.url, 0);
    expect(await db.query(APPLICATION_CONSTRAINTS)).toEqual(before);
  }, 90_000);
});
