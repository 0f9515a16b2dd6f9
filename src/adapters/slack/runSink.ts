// Tells a run's events in its Slack thread: one line per milestone, and one line per phase edited in place as it progresses.
import type { RunEvent } from '../../domain/runEvents.js';
import type { DeployRequest } from '../../domain/types.js';
import type { Clock, RequestView, RunRef, RunSink } from '../../ports.js';
import type { Logger } from '../../runtime/logger.js';
import { laterWaitMs } from './webApiPolicy.js';
import { progressKey, wordEvent } from '../../wording/runEvents.js';
import type { SlackChat } from './chat.js';
import { isProduction } from '../../domain/incidentPolicy.js';
import { declareIncidentButton } from './blocks/incidentModals.js';
import { canaryActions } from './blocks/canary.js';
import { actions, button, section } from './blocks/kit.js';
import { ACTION_REVERT } from './rollbackHandlers.js';
import { requestNotice } from './blocks/request.js';
import { slackWords } from './mrkdwn.js';

const DECLARE_PROMPT = 'Is production hurting? Declare an incident: it starts with this deploy on its timeline and links back here.';

/** How long, in all, a thread line Slack did not take is tried again before it is given up (logged). */
export const LATER_GIVE_UP_MS = 15 * 60_000;

/** What the sink needs to send a line again later: the clock to wait on, the stop that ends the waiting, the log. */
export interface SendLater {
  clock: Clock;
  shutdown: AbortSignal;
  log: Logger;
}

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
    /** absent: a line Slack did not take is not sent again (the recorder logs it) */
    private readonly later?: SendLater,
  ) {}

  async deliver(run: RunRef, _actor: string, event: RunEvent): Promise<void> {
    if (event.type === 'request-posted') return this.noticeElsewhere(run, event);
    const thread = run.thread;
    if (!thread) return;
    const text = wordEvent(event, slackWords);
    if (text === null) return;
    const key = progressKey(event);
    if (key === null) {
      await this.persist(run, event.type, () => this.chat.postInThread(thread, text));
      if (event.type === 'succeeded' || event.type === 'failed') this.progress.delete(run.runId);
      const blocks = (text: string, blocks: object[]) => this.persist(run, event.type, () => this.chat.postBlocksInThread(thread, text, blocks));
      if (event.type === 'canary-gate-waiting') await blocks('Promote or abort the canary', [canaryActions(event.env, event.appliedSpec, { follow: false })]);
      if (event.type === 'canary-aborted') await blocks('Revert in git', [actions(`revert:${run.runId}`, [button({ text: 'Revert in git', actionId: ACTION_REVERT, value: run.runId })])]);
      // From a failed production deploy or rollback to an incident in one click.
      if (event.type === 'failed' && isProduction(event.env)) await blocks('Declare an incident for this failure?', [section(DECLARE_PROMPT), declareIncidentButton(run.runId)]);
      return;
    }
    const lines = this.progress.get(run.runId) ?? new Map<string, ProgressLine>();
    this.progress.set(run.runId, lines);
    const line = lines.get(key);
    if (line?.text === text) return;
    if (line) {
      await this.persist(run, event.type, () => this.chat.updateInThread(thread, line.ts, text));
      line.text = text;
    } else {
      lines.set(key, { ts: await this.persist(run, event.type, () => this.chat.postInThread(thread, text)), text });
    }
  }

  private async noticeElsewhere(run: RunRef, event: Extract<RunEvent, { type: 'request-posted' }>): Promise<void> {
    if (!this.deploysChannel || event.channel === this.deploysChannel) return;
    const permalink = await this.chat.permalink({ channel: event.channel, ts: event.ts }).catch(() => null);
    const channel = this.deploysChannel;
    await this.persist(run, 'request-notice', () => this.chat.post(channel, requestNotice(event, permalink)));
  }

  async show(run: RunRef, request: DeployRequest): Promise<void> {
    if (!run.thread) return;
    const thread = run.thread;
    await this.persist(run, 'show', () => this.chat.updateRequest(thread, request, this.viewOf(request)));
  }

  /**
   * Sends again, after a wait, what Slack did not take but may later (a rate limit longer than the client waits, Slack
   * or the network down): the run's later lines queue behind it, so the thread keeps its order. Given up (and the
   * failure passed on) after LATER_GIVE_UP_MS, at shutdown, or for a failure that waiting does not cure.
   */
  private async persist<T>(run: RunRef, what: string, send: () => Promise<T>): Promise<T> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        const wait = this.later ? laterWaitMs(err, attempt) : null;
        if (!this.later || wait === null || waited + wait > LATER_GIVE_UP_MS || this.later.shutdown.aborted) throw err;
        this.later.log.warn({ err, runId: run.runId, event: what, retryInMs: wait }, 'Slack did not take a thread update; sending it again later');
        await this.later.clock.sleep(wait, this.later.shutdown);
        waited += wait;
      }
    }
  }
}
