// Tells a run's events in its Slack thread: one line per milestone, and one line per phase edited in place as it progresses.
import type { RunEvent } from '../../domain/runEvents.js';
import type { DeployRequest } from '../../domain/types.js';
import type { RequestView, RunRef, RunSink } from '../../ports.js';
import { progressKey, wordEvent } from '../../wording/runEvents.js';
import type { SlackChat } from './chat.js';
import { isProduction } from '../../domain/incidentPolicy.js';
import { declareIncidentButton } from './blocks/incidentModals.js';
import { canaryActions } from './blocks/canary.js';
import { actions, button, section } from './blocks/kit.js';
import { ACTION_REVERT } from './rollbackHandlers.js';
import { requestNotice } from './blocks/request.js';

const DECLARE_PROMPT = 'Is production hurting? Declare an incident: it starts with this deploy on its timeline and links back here.';
import { slackWords } from './mrkdwn.js';

interface ProgressLine {
  ts: string;
  text: string;
}

export class SlackThreadSink implements RunSink {
  /** per run, the progress line of each phase: "sync:shop-prod" -> its message */
  private readonly progress = new Map<string, Map<string, ProgressLine>>();

  constructor(
    private readonly chat: SlackChat,
    private readonly viewOf: (request: DeployRequest) => RequestView,
    /** channels.deploys: a request posted elsewhere gets a one-line notice there, so every deploy is seen by the team */
    private readonly deploysChannel: string | null,
  ) {}

  async deliver(run: RunRef, _actor: string, event: RunEvent): Promise<void> {
    if (event.type === 'request-posted') return this.noticeElsewhere(event);
    if (!run.thread) return;
    const text = wordEvent(event, slackWords);
    if (text === null) return;
    const key = progressKey(event);
    if (key === null) {
      await this.chat.postInThread(run.thread, text);
      if (event.type === 'succeeded' || event.type === 'failed') this.progress.delete(run.runId);
      if (event.type === 'canary-gate-waiting') await this.chat.postBlocksInThread(run.thread, 'Promote or abort the canary', [canaryActions(event.env, event.appliedSpec, { follow: false })]);
      if (event.type === 'canary-aborted') await this.chat.postBlocksInThread(run.thread, 'Revert in git', [actions(`revert:${run.runId}`, [button({ text: 'Revert in git', actionId: ACTION_REVERT, value: run.runId })])]);
      // From a failed production deploy or rollback to an incident in one click.
      if (event.type === 'failed' && isProduction(event.env)) await this.chat.postBlocksInThread(run.thread, 'Declare an incident for this failure?', [section(DECLARE_PROMPT), declareIncidentButton(run.runId)]);
      return;
    }
    const lines = this.progress.get(run.runId) ?? new Map<string, ProgressLine>();
    this.progress.set(run.runId, lines);
    const line = lines.get(key);
    if (line?.text === text) return;
    if (line) {
      await this.chat.updateInThread(run.thread, line.ts, text);
      line.text = text;
    } else {
      lines.set(key, { ts: await this.chat.postInThread(run.thread, text), text });
    }
  }

  private async noticeElsewhere(event: Extract<RunEvent, { type: 'request-posted' }>): Promise<void> {
    if (!this.deploysChannel || event.channel === this.deploysChannel) return;
    const permalink = await this.chat.permalink({ channel: event.channel, ts: event.ts }).catch(() => null);
    await this.chat.post(this.deploysChannel, requestNotice(event, permalink));
  }

  async show(run: RunRef, request: DeployRequest): Promise<void> {
    if (!run.thread) return;
    await this.chat.updateRequest(run.thread, request, this.viewOf(request));
  }
}
