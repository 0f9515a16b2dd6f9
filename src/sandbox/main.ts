// `npm run sandbox`: the whole product on one machine — fakes of Slack, GitHub and Kubernetes, Flightdeck, and a console.
import { KubeConfig } from '@kubernetes/client-node';
import { createFlightdeck } from '../app.js';
import { loadConfig, loadEnv } from '../config/loader.js';
import { createLogger } from '../runtime/logger.js';
import { runConsole } from './console.js';
import { startWorld } from './world.js';

const world = await startWorld();
const settings = loadEnv({ ...world.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const { config } = loadConfig(settings.configPath);
const kubeconfig = new KubeConfig();
kubeconfig.loadFromFile(world.kubeconfigPath);
const app = await createFlightdeck(settings, config, { logger: createLogger(settings.logLevel), kubeconfig, webApiRetries: 0, githubResilient: false });
const port = await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
process.stdout.write(`Flightdeck on http://127.0.0.1:${port} (sandbox data in ${world.dir})\n`);
await runConsole(world, `http://127.0.0.1:${port}`);
await app.stop();
await world.close();
