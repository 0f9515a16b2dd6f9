// Process entry: environment and config in, app built and listening; SIGTERM stops it cleanly.
import { ConfigError, loadConfig, loadEnv } from './config/loader.js';
import { createFlightdeck } from './app.js';
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
  for (const warning of loaded.warnings) log.warn({ configPath: settings.configPath }, warning);
  const app = await createFlightdeck(settings, loaded.config, { logger: log });
  await app.listen(settings.port);
  let stopping = false;
  const stop = (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    app.stop().then(
      () => process.exit(code),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
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
