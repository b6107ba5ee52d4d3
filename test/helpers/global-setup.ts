import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import type { TestProject } from 'vitest/node';

import { migrate } from '../../src/app/migrate.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { redactUrl, withDatabase } from '../../src/db/url.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

/**
 * Once per run: a server (DATABASE_URL, else a throwaway embedded cluster) and a template database
 * migrated once, which every test file clones (as graphile-worker's tests do).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedDatabase | null = null;
  let adminUrl = process.env.DATABASE_URL?.trim();
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(await mkdtemp(path.join(os.tmpdir(), 'bpetl-test-')), {
      persistent: false,
    });
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    await embedded?.stop();
    throw new Error(
      `Cannot reach PostgreSQL at ${redactUrl(adminUrl)} (${(err as Error).message}). ` +
        'Unset DATABASE_URL to let the tests start an embedded PostgreSQL, or point it at a running server ' +
        'whose user may create databases.',
    );
  }
  const template = `bpetl_test_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${template}`);
  await migrate(withDatabase(adminUrl, template));
  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    // Drop the template and any clone a crashed file left behind.
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`${template}%`],
    );
    for (const { datname } of rows.sort((a, b) => b.datname.length - a.datname.length)) {
      await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    }
    await admin.end();
    await embedded?.stop();
  };
}
