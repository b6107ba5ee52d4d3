import { createApp, type RunningApp } from '../app/app.ts';
import { openDatabase } from '../app/database.ts';
import type { Config } from '../config.ts';

/** Opens the database (DATABASE_URL or the embedded cluster) and an app on it for one command. */
export async function withApp<T>(config: Config, fn: (app: RunningApp) => Promise<T>): Promise<T> {
  const db = await openDatabase(config);
  try {
    const app = await createApp(config, db.url);
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  } finally {
    await db.stop();
  }
}
