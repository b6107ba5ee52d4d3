import { Writable } from 'node:stream';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { printRunSummary, progressReporter } from '../../src/cli/commands/import.ts';
import type { PipelineEvent, PipelineRun } from '../../src/services/pipeline/runs.ts';

/** A terminal that keeps what is drawn on it. */
function terminal(): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, { isTTY: true, columns: 160, rows: 40, text: () => text });
  return stream;
}

let seq = 0;
function event(step: string, status: string, message = ''): PipelineEvent {
  return { id: String(++seq), runId: '1', step, status, done: null, total: null, message, at: new Date() };
}

/** The bar as last drawn (frames are separated by cursor movements). */
function lastFrame(text: string): string {
  // eslint-disable-next-line no-control-regex
  const frames = text.split(/\u001b\[[0-9;]*[A-Za-z]|\r/).filter((f) => f.includes('pipeline ['));
  return frames.at(-1)!.trim();
}

describe('the progress bar ends where the run ended', () => {
  it('a run that stops at import shows the steps it reached and its status', () => {
    const tty = terminal();
    const progress = progressReporter(true, tty);
    progress.onEvent(event('run', 'RUNNING', 'reading feed'));
    for (const step of ['validate', 'snapshot', 'repair']) {
      progress.onEvent(event(step, 'RUNNING'));
      progress.onEvent(event(step, 'DONE'));
    }
    progress.onEvent(event('import', 'RUNNING', 'checking the shrink guard'));
    progress.onEvent(event('run', 'ROLLED_BACK', 'SHRINK_GUARD: the import would retire …'));
    progress.stop();
    const frame = lastFrame(tty.text());
    expect(frame).toMatch(/ 3\/6 ROLLED_BACK: SHRINK_GUARD/);
    expect(frame).not.toMatch(/\u2588{40}/); // not drawn full
  });

  it('a run that succeeds fills it', () => {
    const tty = terminal();
    const progress = progressReporter(true, tty);
    progress.onEvent(event('run', 'RUNNING'));
    progress.onEvent(event('run', 'SUCCEEDED', 'done'));
    progress.stop();
    expect(lastFrame(tty.text())).toMatch(/ 6\/6 SUCCEEDED: done/);
  });
});

describe('a dry run speaks in the conditional', () => {
  afterEach(() => vi.restoreAllMocks());

  it('would insert, would re-point', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const run = {
      id: '7',
      status: 'SUCCEEDED',
      dryRun: true,
      stats: {
        import: {
          scope: ['CITA'],
          records: { read: 10 },
          rejected: 0,
          rejections: [],
          tables: { teams: { inserted: 2, updated: 1, unchanged: 3, retired: 4 } },
        },
        restore: { remapped: 5, unmatched: 12 },
      },
    } as unknown as PipelineRun;
    printRunSummary(run);
    const out = lines.join('');
    expect(out).toContain('pipeline run 7: SUCCEEDED (dry run: nothing was written)');
    expect(out).toContain('teams          would insert 2, update 1, leave 3 unchanged, retire 4');
    expect(out).toContain(
      'user data: would re-point 5, would leave 12 unmatched (user rows whose target changed with no unique match: left as they are)',
    );
    expect(out).not.toMatch(/\d+ inserted|re-pointed/);
  });
});
