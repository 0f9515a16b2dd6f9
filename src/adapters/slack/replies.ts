// How a command or a click answers the person privately: a refusal worded for Slack, or a reference to our logs.
import { randomBytes } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { UserError } from '../../domain/problems.js';
import type { WorkflowDeps } from '../../workflows/context.js';
import { wordProblem } from '../../wording/problems.js';
import { slackWords } from './mrkdwn.js';

/** The private answer to an error: a UserError's problem as the person should read it, anything else logged with a reference. */
export function messageOf(err: unknown, deps: Pick<WorkflowDeps, 'log'>, runId: string | null): string {
  if (err instanceof UserError) return `:warning: ${wordProblem(err.problem, slackWords)}`;
  const reference = runId ?? `err-${randomBytes(4).toString('hex')}`;
  deps.log.error({ err, runId: reference }, 'command failed');
  return `:x: ${wordProblem({ code: 'internal', reference }, slackWords)}`;
}

/** Runs command work and answers the person privately with any error. */
export async function replyTo(deps: WorkflowDeps, respond: RespondFn, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: messageOf(err, deps, null) });
  }
}

export interface Click {
  /** the button's value: only an id, authority is re-checked from the store */
  value: string;
  user: string;
  channel: string;
}

/** The parts of a block_actions payload we use. */
export function clickOf(body: unknown, action: unknown): Click {
  const b = body as { user?: { id?: string }; channel?: { id?: string }; container?: { channel_id?: string } };
  const a = action as { value?: string };
  return { value: String(a.value ?? ''), user: String(b.user?.id ?? ''), channel: String(b.channel?.id ?? b.container?.channel_id ?? '') };
}

/** Runs a click's work and tells the person privately what went wrong, if anything. */
export async function onClick(deps: WorkflowDeps, click: Click, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    await deps.chat.tellUser(click.channel, click.user, messageOf(err, deps, click.value || null));
  }
}
