// The shape of flightdeck.yaml (SPEC §3) as zod schemas; the inferred types are the config the app trusts.
import { z } from 'zod';
import { cronProblem } from '../domain/cron.js';
import type { Config } from '../domain/config.js';
import { parseDuration } from '../domain/durations.js';

/** A string whose every problem (missing, wrong type, wrong form) is reported with one message. */
function text(message: string, pattern: RegExp) {
  return z.string({ error: message }).regex(pattern, message);
}

/** A duration such as "15m", parsed to milliseconds. */
export const duration = z
  .string({ error: 'expected a duration such as "30s", "15m", "1h" or "1d"' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as "30s", "15m", "1h" or "1d"', input: text });
      return z.NEVER;
    }
    return ms;
  });

const slackUser = text('expected a Slack user id such as "U0LEAD"', /^[UW][A-Z0-9]+$/);
const slackGroup = text('expected a Slack user group id such as "S0EXEC"', /^S[A-Z0-9]+$/);
const slackChannel = text('expected a Slack channel id such as "C0DEPLOYS"', /^[CGD][A-Z0-9]+$/);
const repoName = text('expected a GitHub repository as "owner/name"', /^[\w.-]+\/[\w.-]+$/);
const wholeNumber = z.number({ error: 'expected a whole number >= 0' }).int('expected a whole number >= 0').min(0, 'expected a whole number >= 0');
const url = z.url({ error: 'expected an absolute URL' });
const k8sName = text('expected a Kubernetes name (lowercase letters, digits, "-" and ".")', /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);

/** A set of people: Slack users and user groups. */
export const audience = z.object({
  users: z.array(slackUser).default([]),
  groups: z.array(slackGroup).default([]),
});

export const appSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a lowercase app name'),
  image: z.string().min(1, 'expected the kustomize images[].name this app owns'),
  source: repoName,
  versions: z.enum(['tags', 'commits']).default('tags'),
  tagPrefix: z.string().default(''),
  workload: z.object({ kind: z.string().default('Deployment'), name: k8sName }).optional(),
});

const approvalSchema = z.object({
  required: wholeNumber.default(1),
  approvers: audience.default({ users: [], groups: [] }),
  ttl: duration.default(3_600_000),
});

export const environmentSchema = z.object({
  name: k8sName,
  aliases: z.array(z.string()).default([]),
  overlay: z.string().min(1, 'expected the folder holding kustomization.yaml'),
  namespace: k8sName.optional(),
  promoteFrom: z.string().optional(),
  argocd: z.object({
    application: k8sName,
    namespace: k8sName.default('argocd'),
    sync: z.enum(['auto', 'manual']).default('manual'),
    context: z.string().optional(),
    url: url.optional(),
    timeout: duration.default(600_000),
  }),
  deployers: audience.optional(),
  approval: approvalSchema.default({ required: 0, approvers: { users: [], groups: [] }, ttl: 3_600_000 }),
  rollback: approvalSchema.optional(),
  gates: z.object({ requiredChecks: z.array(z.string()).default([]) }).default({ requiredChecks: [] }),
  canary: z.object({ name: k8sName, namespace: k8sName.optional(), timeout: duration.default(3_600_000) }).optional(),
  cluster: z.object({ context: z.string() }).optional(),
  versionPattern: z.enum(['semver', 'any']).default('any'),
});

/** A cron expression with 5 fields (or 6, seconds first). */
const cronExpression = z.string({ error: 'expected a cron expression such as "0 16 * * 5"' }).superRefine((expr, ctx) => {
  const problem = cronProblem(expr);
  if (problem) ctx.addIssue({ code: 'custom', message: `expected a cron expression such as "0 16 * * 5" (${problem})`, input: expr });
});

const freezeSchema = z.object({
  name: z.string(),
  cron: cronExpression,
  duration,
  environments: z.array(z.string()).default([]),
  timezone: z.string().default('UTC').refine(isTimeZone, 'expected an IANA time zone such as "Europe/Berlin"'),
});

const severitySchema = z.object({
  respondWithin: duration,
  page: audience.default({ users: [], groups: [] }),
  escalate: z.array(audience).default([]),
  freezeProduction: z.boolean().default(false),
});

export const configSchema = z.object({
  gitops: z.object({
    repo: repoName,
    branch: z.string().default('main'),
    mode: z.enum(['commit', 'pull-request']).default('commit'),
    deployments: z.boolean().default(false),
    conflictRetries: wholeNumber.default(5),
  }),
  apps: z.array(appSchema).min(1, 'expected at least one app'),
  environments: z.array(environmentSchema).min(1, 'expected at least one environment'),
  freezes: z.array(freezeSchema).default([]),
  channels: z.object({ deploys: slackChannel.optional(), incidents: slackChannel.optional() }).default({}),
  incidents: z
    .object({
      severities: z.partialRecord(z.enum(['sev1', 'sev2', 'sev3', 'sev4']), severitySchema).optional(),
      runbooks: z.record(z.string(), url).default({}),
      postmortemRepo: repoName.optional(),
      pager: z
        .object({ url, routingKeyEnv: z.string().default('PAGER_ROUTING_KEY'), severities: z.array(z.enum(['sev1', 'sev2', 'sev3', 'sev4'])).default(['sev1', 'sev2']) })
        .optional(),
    })
    .default({ runbooks: {} }),
  prometheus: z.object({ url }).optional(),
  scheduler: z.object({ tick: cronExpression.default('*/30 * * * * *') }).default({ tick: '*/30 * * * * *' }),
});

// The domain owns these types; the schema must produce exactly them (checked both ways at compile time).
export type { AppConfig, ApprovalPolicy, Audience, Config, EnvironmentConfig, FreezeConfig } from '../domain/config.js';
type Parsed = z.infer<typeof configSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const schemaMatchesDomain: Same<Parsed, Config> = true;
void schemaMatchesDomain;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
