// Block Kit for /canary-status: each canary's phase, weight bar, step plan, checks, metrics against thresholds, gates and buttons.
import { planMaxWeight, planSteps, weightBar, type CanaryPlan } from '../../../domain/canary.js';
import { metricUnit } from '../../../domain/canaryQueries.js';
import type { CanaryGate } from '../../../domain/canaryGates.js';
import type { CanaryStatusEntry, CanaryStatusReport, MetricReading } from '../../../workflows/canaryStatus.js';
import { ACTIVE_PHASES } from '../../../workflows/canaryStatus.js';
import { wordCanaryProblem } from '../../../wording/canary.js';
import type { Words } from '../../../wording/words.js';
import { code, escapeMrkdwn, group, link, slackWords, user } from '../mrkdwn.js';
import { actions, button, context, header, section, slackDate, type SlackMessage } from './kit.js';

export const ACTION_CANARY_PROMOTE = 'canary_promote';
export const ACTION_CANARY_ABORT = 'canary_abort';
export const ACTION_CANARY_FOLLOW = 'canary_follow';

/** The Slack words (src/adapters/slack/mrkdwn.ts), under the name the canary modules use. */
export const mrkdwnWords: Words = slackWords;

/** A button's value: which environment's canary, and the revision the person saw (re-checked at click time). */
export function canaryButtonValue(env: string, appliedSpec: string | null): string {
  return `${env}|${appliedSpec ?? ''}`;
}

export function parseCanaryButtonValue(value: string): { env: string; shownSpec: string | null } {
  const bar = value.indexOf('|');
  if (bar < 0) return { env: value, shownSpec: null };
  return { env: value.slice(0, bar), shownSpec: value.slice(bar + 1) || null };
}

export function canaryStatusMessage(report: CanaryStatusReport): SlackMessage {
  const blocks: object[] = [header('Flagger canary status')];
  for (const entry of report.entries) blocks.push(...entryBlocks(entry));
  blocks.push(context([`Read ${slackDate(report.at)}. Buttons are checked against the environment's approvers when pressed.`]));
  const summary = report.entries.map((e) => `${e.env}: ${e.found ? `${e.canary.phase || 'not reconciled'} ${e.canary.canaryWeight}%` : e.why}`).join('; ');
  return { text: `Canary status — ${summary}`, blocks: blocks.slice(0, 50) };
}

function entryBlocks(entry: CanaryStatusEntry): object[] {
  const w = mrkdwnWords;
  const title = `*${escapeMrkdwn(entry.env)}* · canary ${code(entry.ref.name)} in ${escapeMrkdwn(entry.ref.namespace)}`;
  if (!entry.found) {
    const reason = entry.why === 'error' ? 'error' : entry.why;
    return [section(`${title}\n:grey_question: ${wordCanaryProblem({ code: 'canary-unreadable', canary: entry.ref.name, namespace: entry.ref.namespace, reason, ...(entry.detail ? { detail: entry.detail } : {}) }, w)}`)];
  }
  const c = entry.canary;
  const lines = [title + (c.target ? ` → ${escapeMrkdwn(c.target.kind)} ${code(c.target.name)}` : '')];
  if (entry.unsupportedTarget) {
    lines.push(`:no_entry: Its target is a ${escapeMrkdwn(entry.unsupportedTarget)}: Flagger analyses only Deployments and DaemonSets, so this canary cannot work.`);
  }
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  lines.push(`Phase: *${escapeMrkdwn(c.phase || 'not reconciled yet')}*${Number.isFinite(since) ? ` since ${slackDate(since)}` : ''}`);
  lines.push(trafficLine(entry.plan, c.canaryWeight));
  lines.push(`Plan: ${planText(entry.plan)}`);
  lines.push(`Iterations: ${c.iterations}${entry.plan.kind === 'iterations' ? ` of ${entry.plan.iterations}` : ''} · Failed checks: ${c.failedChecks}${c.threshold !== null ? ` of ${c.threshold} allowed` : ''}`);
  if (c.message) lines.push(`_${escapeMrkdwn(c.message)}_`);
  const blocks: object[] = [section(lines.join('\n'))];
  if (entry.metrics.length > 0) blocks.push(section(['*Metrics*', ...entry.metrics.map(metricLine)].join('\n')));
  const gates = gatesLine(entry.gates);
  if (gates) blocks.push(context([gates]));
  if (ACTIVE_PHASES.includes(c.phase)) blocks.push(canaryActions(entry.env, c.lastAppliedSpec));
  return blocks;
}

/**
 * Promote canary / Abort canary (and Follow) for an environment's canary at the revision shown. The deploy thread can
 * post these too when Flagger waits at a gate: the same handlers check authority and the revision when pressed.
 */
export function canaryActions(env: string, appliedSpec: string | null, opts: { follow?: boolean } = {}): object {
  const value = canaryButtonValue(env, appliedSpec);
  return actions(`canary:${env}`, [
    button({ text: 'Promote canary', actionId: ACTION_CANARY_PROMOTE, value, style: 'primary' }),
    button({ text: 'Abort canary', actionId: ACTION_CANARY_ABORT, value, style: 'danger' }),
    ...(opts.follow === false ? [] : [button({ text: 'Follow', actionId: ACTION_CANARY_FOLLOW, value })]),
  ]);
}

function trafficLine(plan: CanaryPlan, weight: number): string {
  if (plan.kind === 'iterations') return 'Traffic: blue/green — no traffic shifted to the canary before promotion';
  const max = planMaxWeight(plan) ?? 100;
  return `Traffic: \`${weightBar(weight, max)}\` ${weight}% of ${max}%`;
}

function planText(plan: CanaryPlan): string {
  switch (plan.kind) {
    case 'step':
      return `steps of ${plan.stepWeight}% up to ${plan.maxWeight}% (${planSteps(plan).join(' → ')})`;
    case 'weights':
      return `weights ${plan.weights.map((x) => `${x}%`).join(' → ')}`;
    case 'iterations':
      return `blue/green, ${plan.iterations} iterations`;
    case 'unknown':
      return 'not set in the analysis';
  }
}

const GAP_TEXT: Record<string, string> = {
  'no-prometheus': 'unknown (prometheus.url is not configured)',
  unreachable: 'unknown (Prometheus did not answer in time)',
  'no-data': 'unknown (no samples)',
  'unknown-provider': "unknown (Flightdeck does not know this provider's query)",
  'no-template': 'unknown (its MetricTemplate could not be read)',
};

function metricLine(r: MetricReading): string {
  const { unit, note } = metricUnit(r.metric.name);
  const bounds = [r.metric.min !== null ? `min ${r.metric.min}${unit}` : null, r.metric.max !== null ? `max ${r.metric.max}${unit}` : null].filter(Boolean).join(', ');
  const name = `${escapeMrkdwn(r.metric.name)}${note ? ` (${note})` : ''}`;
  const threshold = bounds ? ` (${bounds})` : '';
  if (r.value === null) return `• ${name}: ${GAP_TEXT[r.gap ?? 'no-data']}${threshold}`;
  const mark = r.verdict === 'pass' ? ':white_check_mark: pass' : ':x: fail';
  const shown = unit === 'ms' ? Math.round(r.value).toString() : (Math.round(r.value * 100) / 100).toString();
  return `• ${name}: ${shown}${unit === '%' ? '%' : unit ? ` ${unit}` : ''} ${mark}${threshold}`;
}

function gatesLine(g: { promote: CanaryGate | null; rollback: CanaryGate | null; asked: boolean }): string | null {
  if (!g.asked) return null;
  const one = (label: string, gate: CanaryGate | null): string =>
    !gate ? `${label}: closed` : gate.open ? `${label}: open (${gate.approvals.map((a) => user(a.user)).join(', ')})` : `${label}: ${gate.approvals.length} of ${gate.required} approvals`;
  return `Flightdeck gates for this revision — ${one('promote', g.promote)} · ${one('rollback', g.rollback)}`;
}
