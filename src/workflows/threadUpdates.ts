// Posts a run's thread replies and message updates in order without making the workflow wait for Slack each time.
import type { DeployRequest } from '../domain/types.js';
import type { ChatThread } from '../ports.js';
import type { WorkflowDeps } from './context.js';
import { viewOf } from './requests.js';

export class ThreadUpdates {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: WorkflowDeps,
    readonly thread: ChatThread,
    private readonly runId: string,
  ) {}

  /** Queues a reply in the thread. */
  say(text: string): void {
    this.enqueue(() => this.deps.chat.postInThread(this.thread, text));
  }

  /** Queues an in-place update of the request message to show the request as it is now. */
  show(request: DeployRequest): void {
    this.enqueue(() => this.deps.chat.updateRequest(this.thread, request, viewOf(this.deps, request)));
  }

  /** Resolves when everything queued so far has been sent (or failed and been logged). */
  flush(): Promise<void> {
    return this.chain;
  }

  private enqueue(send: () => Promise<void>): void {
    // A Slack hiccup must not fail a deploy that is already in git: log it and go on.
    this.chain = this.chain.then(send).catch((err: unknown) => this.deps.log.warn({ err, runId: this.runId }, 'could not update the Slack thread'));
  }
}
