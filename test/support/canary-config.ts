// The example config with the backend's workload kind chosen, parsed as the app parses it (for canary unit tests).
import { configSchema, type Config } from '../../src/config/schema.js';
import { parse } from 'yaml';
import { EXAMPLE_CONFIG } from '../../src/sandbox/world.js';

export function loadConfigText(backendKind: string): Config {
  const text = EXAMPLE_CONFIG.replace('workload: { kind: Deployment, name: backend }', `workload: { kind: ${backendKind}, name: backend }`);
  return configSchema.parse(parse(text)) as Config;
}
