// Builds the incident workflow's adapters (Slack, pager, GitHub postmortems) and registers its Slack handlers; app.ts calls it once.
import type { App } from '@slack/bolt';
import type { Octokit } from '@octokit/rest';
import type { DeployRequest, Timer } from '../domain/types.js';
import type { IncidentsConfigView } from '../domain/incidentPolicy.js';
import type { Clock, Metrics, Store } from '../ports.js';
import type { Background } from '../runtime/background.js';
import type { Logger } from '../runtime/logger.js';
import { incidentTimers } from '../workflows/incidentClock.js';
import type { IncidentDeps } from '../workflows/incidentPorts.js';
import { GitHubPostmortems, postmortemBody } from './github/incidentIssues.js';
import { PagerDutyEvents } from './pager/pagerDuty.js';
import { SlackIncidentChat } from './slack/incidentChat.js';
import { registerIncidentHandlers } from './slack/incidentHandlers.js';

export interface IncidentWiring {
  app: App;
  config: { incidents: IncidentsConfigView; channels: { incidents?: string | undefined } };
  store: Store & { getRequest(id: string): Promise<DeployRequest | null> };
  clock: Clock;
  log: Logger;
  metrics: Metrics & { command(name: string): void };
  octokit: Octokit;
  members: IncidentDeps['members'];
  background: Background;
  /** where the pager's routing key is read (the variable `incidents.pager.routingKeyEnv` names) */
  env: Record<string, string | undefined>;
}

/** The incident workflow wired up: its deps (for other workflows) and its timer kinds (for the scheduler). */
export function wireIncidents(w: IncidentWiring): { deps: IncidentDeps; timers: Record<string, (timer: Timer) => Promise<void>> } {
  const pagerConfig = w.config.incidents.pager;
  const routingKey = pagerConfig ? w.env[pagerConfig.routingKeyEnv]?.trim() : undefined;
  if (pagerConfig && !routingKey) w.log.warn({ variable: pagerConfig.routingKeyEnv }, 'incidents.pager is configured but its routing key variable is empty: the external pager is off');
  const deps: IncidentDeps = {
    config: w.config,
    store: w.store,
    chat: new SlackIncidentChat(w.app.client, w.metrics),
    pager: pagerConfig && routingKey ? new PagerDutyEvents({ url: pagerConfig.url, routingKey }) : null,
    postmortems: w.config.incidents.postmortemRepo ? new GitHubPostmortems(w.octokit) : null,
    postmortemBody,
    members: w.members,
    clock: w.clock,
    log: w.log.child({ workflow: 'incident' }),
    timers: w.store,
  };
  registerIncidentHandlers(w.app, deps, w.background, { requests: w.store, metrics: w.metrics });
  return { deps, timers: incidentTimers(deps) };
}
