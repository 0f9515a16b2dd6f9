// Prometheus metrics behind the Metrics port: one registry per app, no global default registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../ports.js';

export interface PromMetrics extends Metrics {
  registry: Registry;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): PromMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'flightdeck_' });
  const commands = new Counter({ name: 'flightdeck_commands_total', help: 'Slash commands received', labelNames: ['command'], registers: [registry] });
  const outcomes = new Counter({ name: 'flightdeck_workflow_outcomes_total', help: 'Workflow runs by type and outcome', labelNames: ['workflow', 'outcome'], registers: [registry] });
  const upstreamCalls = new Counter({ name: 'flightdeck_upstream_requests_total', help: 'Calls to GitHub, Kubernetes and Slack', labelNames: ['service', 'operation', 'ok'], registers: [registry] });
  const upstreamLatency = new Histogram({
    name: 'flightdeck_upstream_request_duration_seconds',
    help: 'Latency of calls to GitHub, Kubernetes and Slack',
    labelNames: ['service'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pending = new Gauge({ name: 'flightdeck_pending_approvals', help: 'Requests waiting for approval', registers: [registry] });
  return {
    registry,
    command: (name) => commands.inc({ command: name }),
    workflowOutcome: (workflow, outcome) => outcomes.inc({ workflow, outcome }),
    upstream: (service, operation, seconds, ok) => {
      upstreamCalls.inc({ service, operation, ok: String(ok) });
      upstreamLatency.observe({ service }, seconds);
    },
    pendingApprovals: (count) => pending.set(count),
  };
}
