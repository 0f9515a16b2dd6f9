// `npm run sandbox`: the whole product on one machine — fakes of Slack, GitHub and Kubernetes, Flightdeck, and a Slack-like page (or the line console).
import { parseArgs } from 'node:util';
import { runConsole } from './console.js';
import { seededWorld } from './seedGitops.js';
import { startSandbox } from './web/sandbox.js';

const USAGE = `npm run sandbox [-- options]
  --port <n>          the page's port (default $PORT or 3000)
  --gitops <dir>      seed the GitHub fake from a local clone of your GitOps repository …
  --config <file>     … and run with your flightdeck.yaml (both needed; nothing real is touched)
  --fast              simulators step in milliseconds instead of seconds
  --console           type commands on this terminal instead of using the page
  --help`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    gitops: { type: 'string' },
    config: { type: 'string' },
    fast: { type: 'boolean', default: false },
    console: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (Boolean(values.gitops) !== Boolean(values.config)) {
  process.stderr.write(`--gitops and --config go together.\n${USAGE}\n`);
  process.exit(2);
}

const port = Number(values.port ?? process.env.PORT ?? 3000);
const sandbox = await startSandbox({
  port,
  pace: values.fast ? 'fast' : 'realistic',
  logLevel: process.env.LOG_LEVEL ?? 'warn',
  ...(values.gitops && values.config ? { world: seededWorld(values.gitops, values.config) } : {}),
}).catch((err: unknown) => {
  const inUse = (err as { code?: string }).code === 'EADDRINUSE';
  process.stderr.write(inUse ? `Port ${port} is taken; try  npm run sandbox -- --port ${port + 1}\n` : `The sandbox did not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping the sandbox…\n');
  await sandbox.close();
  process.stdout.write(`Removed ${sandbox.world.dir}\n`);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const kubeNote = sandbox.https ? '' : '  (openssl was not found: the cluster speaks plain HTTP, so kubectl will not send its token)\n';
process.stdout.write(`
Flightdeck sandbox is running — Slack, GitHub and Kubernetes are local stand-ins; nothing real is touched.

  Open     ${sandbox.pageUrl}
  Cluster  export KUBECONFIG=${sandbox.world.kubeconfigPath}
           kubectl get applications -A -w -o custom-columns=APP:.metadata.name,SYNC:.status.sync.status,HEALTH:.status.health.status,OPERATION:.status.operationState.phase
           kubectl get canaries -A -w -o custom-columns=CANARY:.metadata.name,PHASE:.status.phase,WEIGHT:.status.canaryWeight
${kubeNote}  Bot      ${sandbox.flightdeckUrl} (also through ${sandbox.url}: /healthz, /metrics, /slack/events)

Three things to try:
  1. In #deploys as the requester, type  /deploy staging v3.0.0  — then switch to the staging approver and click Approve.
  2. Then  /deploy production v3.0.0 : two execs approve, and the thread follows the Flagger canary step by step.
  3. Type  /incident sev2 checkout is slow : a channel appears; as Otto On-call click Acknowledge, later Resolve.

Ctrl-C stops everything and removes ${sandbox.world.dir}
`);
for (const note of (sandbox.world as { notes?: string[] }).notes ?? []) process.stdout.write(`  seeded: ${note}\n`);

if (values.console) {
  const deploys = sandbox.config.channels.deploys ?? 'C0DEPLOYS';
  await runConsole(sandbox.world, sandbox.flightdeckUrl, deploys);
  await stop();
}
