import { useState } from 'preact/hooks';

import { request, unwrap } from '../api.ts';
import { ErrorNote } from '../components/notes.tsx';
import { useAction } from '../hooks.ts';
import { navigate } from '../router.ts';

const RUN_PIPELINE = `mutation RunPipeline($input: ImportInput!) {
  runPipeline(input: $input) {
    __typename
    ... on PipelineRun { id status }
    ... on OperationError { code message details }
  }
}`;

type RunResult = { __typename: 'PipelineRun'; id: string; status: string } | { __typename: 'OperationError' };

/**
 * Uploaded files by the run they were sent with: a dry run's "import for real" sends the same file
 * again without asking for it (kept for the tab only, never stored).
 */
const uploads = new Map<string, File>();

interface ImportRequest {
  source?: unknown;
  leagues?: unknown;
  dryRun: boolean;
  allowShrink?: unknown;
}

/** Starts `runPipeline`, as a GraphQL multipart request when a file is sent. */
export async function startImport(
  input: ImportRequest,
  fromRun?: string,
  file?: File,
): Promise<{ id: string }> {
  const upload = file ?? (fromRun ? uploads.get(fromRun) : undefined);
  const variables = {
    input: {
      source: upload ? null : input.source,
      upload: null,
      leagues: Array.isArray(input.leagues) && input.leagues.length ? input.leagues : null,
      dryRun: input.dryRun,
      allowShrink: Boolean(input.allowShrink),
    },
  };
  let form: FormData | undefined;
  if (upload) {
    form = new FormData();
    form.append('operations', JSON.stringify({ query: RUN_PIPELINE, variables }));
    form.append('map', JSON.stringify({ 0: ['variables.input.upload'] }));
    form.append('0', upload, upload.name);
  }
  const data = await request<{ runPipeline: RunResult }>(RUN_PIPELINE, variables, form);
  const run = unwrap(data.runPipeline);
  if (upload) uploads.set(run.id, upload);
  return run;
}

function parseLeagues(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function NewImportPage() {
  const [mode, setMode] = useState<'source' | 'upload'>('source');
  const [source, setSource] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [leagues, setLeagues] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [allowShrink, setAllowShrink] = useState(false);
  const action = useAction(startImport);
  const submit = async (e: Event) => {
    e.preventDefault();
    const input = { source, leagues: parseLeagues(leagues), dryRun, allowShrink };
    const run = await action.run(input, undefined, mode === 'upload' ? (file ?? undefined) : undefined);
    if (run) navigate(`runs/${run.id}`);
  };
  return (
    <section aria-labelledby="new-import-title">
      <h2 id="new-import-title">New import</h2>
      <form onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>Source</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'source'} onChange={() => setMode('source')} />A
            feed directory or teams file under the server's import directory
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'upload'} onChange={() => setMode('upload')} />
            An uploaded teams file (.csv, .ndjson, .jsonl)
          </label>
        </fieldset>
        {mode === 'source' ? (
          <label>
            Path relative to the import directory
            <input
              name="source"
              required
              value={source}
              placeholder="leagues/2025-07"
              onInput={(e) => setSource(e.currentTarget.value)}
            />
          </label>
        ) : (
          <label>
            Teams file
            <input
              type="file"
              name="upload"
              required
              accept=".csv,.ndjson,.jsonl"
              onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
            />
          </label>
        )}
        <label>
          Leagues (optional, comma-separated codes; only these are refreshed)
          <input
            name="leagues"
            value={leagues}
            placeholder="APTA_CHICAGO, NSTF"
            onInput={(e) => setLeagues(e.currentTarget.value)}
          />
        </label>
        <fieldset>
          <label>
            <input
              type="checkbox"
              name="dryRun"
              role="switch"
              checked={dryRun}
              onChange={(e) => setDryRun(e.currentTarget.checked)}
            />
            Dry run: do everything, roll back, show the plan
          </label>
          <label>
            <input
              type="checkbox"
              name="allowShrink"
              role="switch"
              checked={allowShrink}
              onChange={(e) => setAllowShrink(e.currentTarget.checked)}
            />
            Allow shrink: let a league lose more than 25 % of its teams
          </label>
        </fieldset>
        <button type="submit" aria-busy={action.pending} disabled={action.pending}>
          {dryRun ? 'Plan import (dry run)' : 'Import'}
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  );
}
