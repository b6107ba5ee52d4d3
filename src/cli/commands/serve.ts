import type { Command } from 'commander';

import { createApp } from '../../app/app.ts';
import { openDatabase } from '../../app/database.ts';
import { ownLogPaths, serverLogFile } from '../../app/log-files.ts';
import { startServices } from '../../app/start-services.ts';
import { logger, logToFile } from '../../logger.ts';
import { startHttpServer } from '../../server/http.ts';
import { runCommand, waitForShutdownSignal } from '../run-command.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the operator console at / and GraphQL (with GraphiQL) at /graphql; starts the embedded database when DATABASE_URL is unset',
    )
    .action(() =>
      runCommand(async (serveConfig) => {
        // Its own log goes to the data directory too, and is followed with PostgreSQL's (when
        // embedded) besides BPETL_LOG_PATHS: the log monitor has something to read out of the box.
        logToFile(serverLogFile(serveConfig));
        const own = await ownLogPaths(serveConfig);
        const config = {
          ...serveConfig,
          logPaths: [...serveConfig.logPaths, ...own.filter((p) => !serveConfig.logPaths.includes(p))],
        };
        const db = await openDatabase(config, { role: 'serve' });
        const app = await createApp(config, db.url).catch(async (err: unknown) => {
          await db.stop();
          throw err;
        });
        let http;
        try {
          await startServices(app, { loadDemoOnFirstStart: db.embedded });
          http = await startHttpServer(app, { port: config.port, host: config.host });
        } catch (err) {
          await app.close();
          await db.stop();
          throw err;
        }
        if (config.apiToken === null) {
          logger.warn(
            'BPETL_API_TOKEN is not set: listening on 127.0.0.1 only, mutations are open to local users',
          );
        }
        const consoleUrl = http.url.replace(/graphql$/, '');
        process.stdout.write(
          `bulletproof-etl is serving the console at ${consoleUrl}; open GraphiQL at ${http.url}\n`,
        );
        const signal = await waitForShutdownSignal();
        logger.info({ signal }, 'shutting down');
        await http.close();
        await app.close();
        await db.stop();
      }),
    );
}
