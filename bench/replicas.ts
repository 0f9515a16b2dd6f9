// Replicas bench: 100 concurrent promotions and 50 incidents across two Flightdeck replicas on one PostgreSQL schema, against
// the fakes, then the same run on SQLite with one replica. Prints lost and duplicated actions (both must be 0; the exit code
// is 1 otherwise), throughput, p99 approve -> commit and the database round trips per approval, all counted from the fakes'
// records and the statements the store sent.
//
// FLIGHTDECK_TEST_POSTGRES_URL names the PostgreSQL database (a schema of its own is created and dropped); without it only
// the SQLite run happens. BENCH_PROMOTIONS / BENCH_INCIDENTS change the counts, BENCH_GITHUB_THROTTLING=1 turns on Octokit's
// throttling as production has it (one write a second per process), BENCH_LOG_LEVEL shows the replicas' logs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runIncidents, type IncidentReport } from './replicas/incidents.js';
import { runPromotions, type PromotionReport } from './replicas/promotions.js';
import { inTime, percentile, type Ack } from './replicas/fakes.js';
import { LATENCY, RESPOND_WITHIN_S, startRig, type Backend } from './replicas/rig.js';

const PROMOTIONS = Number(process.env.BENCH_PROMOTIONS ?? 100);
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 50);
const THROTTLING = process.env.BENCH_GITHUB_THROTTLING === '1';
const POSTGRES_URL = process.env.FLIGHTDECK_TEST_POSTGRES_URL;

interface Run {
  label: string;
  /** the longest the bench's own event loop (the fakes' too) was held up, ms */
  stallMs: number;
  promotions: PromotionReport;
  incidents: IncidentReport;
  wallMs: number;
}

async function run(label: string, backend: Backend, replicas: number): Promise<Run> {
  process.stderr.write(`bench: ${label}: starting\n`);
  const started = Date.now();
  // one environment more: promoted alone first, as a quiet baseline
  const rig = await startRig(backend, replicas, PROMOTIONS + 1);
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  // Ctrl-C: the replicas stop, the schema is dropped and the world's folder removed all the same.
  const interrupted = () => void rig.close().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    process.stderr.write(`bench: ${label}: ${PROMOTIONS} promotions\n`);
    const promotions = await runPromotions(rig, PROMOTIONS);
    process.stderr.write(`bench: ${label}: ${INCIDENTS} incidents\n`);
    const incidents = await runIncidents(rig, INCIDENTS);
    return { label, promotions, incidents, wallMs: Date.now() - started, stallMs: delay.max / 1e6 };
  } finally {
    process.off('SIGINT', interrupted);
    delay.disable();
    await rig.close();
  }
}

const p99 = (values: number[]) => percentile(values, 99);
const acked = (acks: Ack[]) => `${acks.filter(inTime).length}/${acks.length} (p99 ${ms(p99(acks.map((a) => a.ms)))}, max ${ms(Math.max(...acks.map((a) => a.ms)))})`;
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : 'n/a');
const rate = (count: number, spanMs: number) => (spanMs > 0 ? `${(count / (spanMs / 1000)).toFixed(1)}/s` : 'n/a');

function table(runs: Run[]): string {
  const rows: Array<[string, (r: Run) => string]> = [
    ['promotions lost / duplicated (must be 0)', (r) => `${r.promotions.lost.length} / ${r.promotions.duplicated.length}`],
    ['incidents lost / duplicated (must be 0)', (r) => `${r.incidents.lost.length} / ${r.incidents.duplicated.length}`],
    ['Slack requests answered 200 within 3 s', (r) => acked([...r.promotions.acks, ...r.incidents.acks])],
    ['requests posted (all /deploy at once)', (r) => `${rate(r.promotions.count, r.promotions.requestPhaseMs)} (${ms(r.promotions.requestPhaseMs)} for all)`],
    ['promotions deployed (all approved at once)', (r) => `${rate(r.promotions.count, r.promotions.approvePhaseMs)} (${ms(r.promotions.approvePhaseMs)} for all)`],
    ['approve -> commit p50 / p99', (r) => `${ms(percentile(r.promotions.approveToCommit, 50))} / ${ms(p99(r.promotions.approveToCommit))}`],
    ['gitops commits landed', (r) => `one every ${ms(r.promotions.commitEveryMs)}`],
    ['approve -> healthy p50 / p99', (r) => `${ms(percentile(r.promotions.approveToHealthy, 50))} / ${ms(p99(r.promotions.approveToHealthy))}`],
    ['incidents paged (all declared at once)', (r) => `${rate(r.incidents.count, r.incidents.declarePhaseMs)} (p99 declare -> paged ${ms(p99(r.incidents.declareToPaged))})`],
    ['alone: approve -> commit / healthy', (r) => `${ms(r.promotions.alone.approveToCommit)} / ${ms(r.promotions.alone.approveToHealthy)}`],
    ['DB round trips per approval (to healthy)', (r) => `${r.promotions.queriesPerApproval.toFixed(1)} (alone: ${r.promotions.alone.queriesPerApproval})`],
    ['DB round trips per /deploy (to posted)', (r) => `${r.promotions.queriesPerRequest.toFixed(1)} (alone: ${r.promotions.alone.queriesPerRequest})`],
    ['DB round trips per incident (with ticks)', (r) => r.incidents.queriesPerIncident.toFixed(1)],
    ['acknowledged incidents escalated first', (r) => `${r.incidents.escalatedBeforeAck}/${Math.ceil(r.incidents.count / 2)}`],
    ['wall time; longest stall of the fakes\' loop', (r) => `${ms(r.wallMs)}; ${ms(r.stallMs)}`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const columns = runs.map((r) => Math.max(r.label.length, ...rows.map(([, cell]) => cell(r).length)) + 2);
  const line = (name: string, cells: string[]) => name.padEnd(width) + cells.map((c, i) => c.padEnd(columns[i]!)).join('').trimEnd();
  return [line('', runs.map((r) => r.label)), ...rows.map(([name, cell]) => line(name, runs.map(cell)))].join('\n');
}

async function main(): Promise<number> {
  // environment names are bench-000 .. bench-999 (one more than PROMOTIONS is promoted alone first)
  if (!(Number.isInteger(PROMOTIONS) && PROMOTIONS >= 1 && PROMOTIONS <= 998) || !(Number.isInteger(INCIDENTS) && INCIDENTS >= 1 && INCIDENTS <= 999)) {
    process.stderr.write('bench: BENCH_PROMOTIONS must be 1..998 and BENCH_INCIDENTS 1..999\n');
    return 2;
  }
  const backends: Array<[string, Backend, number]> = [];
  if (POSTGRES_URL) backends.push(['PostgreSQL, 2 replicas', { kind: 'postgres', url: POSTGRES_URL }, 2]);
  else process.stderr.write('bench: FLIGHTDECK_TEST_POSTGRES_URL is not set: the two-replica PostgreSQL run is skipped, only SQLite with one replica runs\n');
  backends.push(['SQLite, 1 replica', { kind: 'sqlite' }, 1]);
  const runs: Run[] = [];
  for (const [label, backend, replicas] of backends) runs.push(await run(label, backend, replicas));

  const out = [
    `Flightdeck replicas bench: ${PROMOTIONS} promotions (one per environment, two apps each) and ${INCIDENTS} sev2 incidents, all at once on alternating replicas`,
    `fakes: latency GitHub ${LATENCY.github} ms, Kubernetes ${LATENCY.kube} ms, Slack ${LATENCY.slack} ms; each replica a process of its own, the fakes in the bench's;` +
      ` Octokit throttling ${THROTTLING ? 'on (one GitHub write a second per process)' : 'off (BENCH_GITHUB_THROTTLING=1 turns it on)'}`,
    `approvals: a quarter by two approvers at once on two replicas, a quarter one approver pressing on two replicas at once, the rest one press;` +
      ` incidents: half acknowledged (a quarter by two people on two replicas at once), half left to escalate twice (respondWithin ${RESPOND_WITHIN_S}s, schedulers ticking every 250 ms on every replica)`,
    '',
    table(runs),
    '',
    'DB round trips: statements the replicas sent to the store (on PostgreSQL each one a network round trip, BEGIN and COMMIT',
    'included; on SQLite an in-process call), from the presses (commands) until all replicas settled, divided by the approvals',
    '(requests): under load that includes the raced second presses; "alone" is one promotion with nothing else going on.',
    'Incidents count their scheduler ticks too. Latencies are the fakes\' records: the contents PUT answered, the thread reply\'s ts.',
    'The GitHub fake writes one commit at a time per repository: under the burst, approve -> commit is mostly the wait for',
    'the commits queued before it ("gitops commits landed").',
  ];
  if (!POSTGRES_URL) out.push('', 'PostgreSQL: not run (FLIGHTDECK_TEST_POSTGRES_URL is not set).');
  for (const r of runs) {
    for (const [what, list] of [['lost promotion', r.promotions.lost], ['duplicated promotion', r.promotions.duplicated], ['lost incident', r.incidents.lost], ['duplicated incident', r.incidents.duplicated]] as const) {
      for (const item of list.slice(0, 10)) out.push(`${r.label}: ${what}: ${item}`);
      if (list.length > 10) out.push(`${r.label}: ${what}: … and ${list.length - 10} more`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  const bad = runs.some((r) => r.promotions.lost.length + r.promotions.duplicated.length + r.incidents.lost.length + r.incidents.duplicated.length > 0);
  return bad ? 1 : 0;
}

process.exitCode = await main();
