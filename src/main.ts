// Process entry: environment and config in, app built and listening; SIGTERM stops it cleanly.
import { ConfigError, loadConfig, loadEnv } from './config/loader.js';
import { createFlightdeck, type Flightdeck } from './app.js';
import { createLogger } from './runtime/logger.js';

async function main(): Promise<void> {
  let settings;
  let loaded;
  try {
    settings = loadEnv(process.env);
    loaded = loadConfig(settings.configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flightdeck: configuration is not valid:\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(settings.logLevel);
  // The handlers come before anything opens (store, port): a SIGTERM while starting (a pod replaced during its start-up)
  // waits for the start to finish and then stops the app cleanly, instead of killing it with a half-opened store.
  let app: Flightdeck | undefined;
  let starting: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const stop = (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    starting
      .catch(() => undefined)
      .then(() => app?.stop())
      .then(
        () => process.exit(code),
        (err: unknown) => {
          log.error({ err }, 'unclean stop');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (const warning of loaded.warnings) log.warn({ configPath: settings.configPath }, warning);
  starting = (async () => {
    app = await createFlightdeck(settings, loaded.config, { logger: log });
    // Stopped while the app was being built: the port never opens.
    if (!stopping) await app.listen(settings.port);
  })();
  await starting;
  if (stopping || !app) return;
  // The Kubernetes client loads while the port is already open; a bad kubeconfig still stops the process.
  await app.clusterLoaded.catch((err: unknown) => {
    log.fatal({ err }, 'cannot use Kubernetes');
    process.stderr.write(`flightdeck: ${err instanceof Error ? err.message : String(err)}\n`);
    stop('kubeconfig', 1);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`flightdeck: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
