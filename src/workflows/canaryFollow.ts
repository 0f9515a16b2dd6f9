// Follows canaries for Slack threads: one Kubernetes watch per canary however many threads follow it, told as typed events until the analysis ends.
import { canaryPlan, type CanaryPlan } from '../domain/canary.js';
import type { CanaryFollowEvent, CanaryName } from '../domain/canaryEvents.js';
import { followKey, type CanaryFollower } from '../domain/canaryGates.js';
import { CanaryRefusal } from '../domain/canaryProblems.js';
import type { CanaryState } from '../domain/clusterState.js';
import type { EnvironmentConfig } from '../domain/config.js';
import type { CanaryRef } from '../ports.js';
import { canaryRefOfEnv, type CanaryDeps } from './canaryGates.js';
import { ACTIVE_PHASES } from './canaryStatus.js';
import { releaseLease, renewWhileHeld, takeLease, type LeaseRef } from './delivery/lease.js';

/** A followed canary whose replica stopped renewing its lease is adopted by the replica claiming this timer (key: followKey). */
export const CANARY_FOLLOW_TIMER = 'canary-follow-lease';
const followLease = (key: string): LeaseRef => ({ name: `canary-follow:${key}`, timer: CANARY_FOLLOW_TIMER, key });

/** Where follow events go: the Slack adapter words them and posts them in the thread. */
export interface CanaryFollowSink {
  deliver(thread: { channel: string; threadTs: string }, event: CanaryFollowEvent): Promise<void>;
}

interface Followed {
  name: CanaryName;
  ref: CanaryRef;
  plan: CanaryPlan;
  followers: CanaryFollower[];
  /** the stage last told, so a repeat (a resumed watch, a re-read after 410) says nothing */
  lastSaid: string | null;
  previous: CanaryState | null;
  stop: AbortController;
  /** deliveries in order */
  queue: Promise<void>;
}

export class CanaryFollowHub {
  private readonly followed = new Map<string, Followed>();

  constructor(
    private readonly deps: CanaryDeps,
    private readonly sink: CanaryFollowSink,
  ) {}

  /** Watches open (one per followed canary). */
  get watches(): number {
    return this.followed.size;
  }

  /** Starts following the environment's canary in a thread; says in the thread what it starts with. */
  async follow(env: EnvironmentConfig, thread: { channel: string; threadTs: string }, user: string): Promise<'started' | 'already' | 'idle'> {
    const ref = canaryRefOfEnv(env);
    if (!ref) throw new CanaryRefusal({ code: 'no-canaries', env: env.name, withCanary: [] });
    const lookup = await this.deps.cluster.lookupCanary(ref);
    if (!lookup.found) throw new CanaryRefusal({ code: 'canary-unreadable', canary: ref.name, namespace: ref.namespace, reason: lookup.why });
    const name: CanaryName = { env: env.name, canary: ref.name, namespace: ref.namespace };
    const state = lookup.canary;
    if (!ACTIVE_PHASES.includes(state.phase)) {
      await this.sink.deliver(thread, { type: 'follow-idle', canary: name, phase: state.phase || 'not reconciled yet' });
      return 'idle';
    }
    const follower: CanaryFollower = { namespace: ref.namespace, canary: ref.name, context: ref.context ?? '', env: env.name, channel: thread.channel, threadTs: thread.threadTs, user, since: this.deps.clock.now(), lastSaid: stageOf(state) };
    if (!(await this.deps.store.addCanaryFollower(follower))) {
      await this.sink.deliver(thread, { type: 'already-following', canary: name });
      return 'already';
    }
    await this.sink.deliver(thread, { type: 'follow-started', canary: name, phase: state.phase, weight: state.canaryWeight, maxWeight: state.maxWeight });
    await this.attach(follower, name, ref, canaryPlan(state), state);
    return 'started';
  }

  /** After a start: follows again what was followed before the stop, from what each thread was last told. */
  async resume(): Promise<number> {
    const followers = await this.deps.store.canaryFollowers();
    await this.resumeFollowers(followers);
    return followers.length;
  }

  /** The canary's lease timer came due here: the replica following it stopped renewing, so follow it from here on. */
  async adopt(key: string): Promise<void> {
    if (this.followed.has(key)) return;
    await this.resumeFollowers((await this.deps.store.canaryFollowers()).filter((f) => followKey(f) === key));
  }

  private async resumeFollowers(followers: CanaryFollower[]): Promise<void> {
    for (const f of followers) {
      const env = this.deps.config.environments.find((e) => e.name === f.env);
      const ref = env ? canaryRefOfEnv(env) : null;
      if (!ref) {
        await this.deps.store.removeCanaryFollowers(f.namespace, f.canary, f.context);
        continue;
      }
      const plan = await this.deps.cluster.lookupCanary(ref).then((l) => (l.found ? canaryPlan(l.canary) : ({ kind: 'unknown' } as const)), () => ({ kind: 'unknown' }) as const);
      await this.attach(f, { env: f.env, canary: f.canary, namespace: f.namespace }, ref, plan, null);
    }
  }

  /** Stops every watch (followers stay stored and resume after the next start). */
  stopAll(): void {
    for (const entry of this.followed.values()) entry.stop.abort();
    this.followed.clear();
  }

  /** Watches the canary for its threads, on one replica at a time: the one holding the canary's follow lease. */
  private async attach(follower: CanaryFollower, name: CanaryName, ref: CanaryRef, plan: CanaryPlan, previous: CanaryState | null): Promise<void> {
    const key = followKey(follower);
    const lease = followLease(key);
    if (!this.followed.has(key) && !(await takeLease(this.deps, lease))) {
      // Another replica follows this canary; it reads the threads from the store, this one included.
      this.deps.log.info({ canary: ref.name, namespace: ref.namespace }, 'another replica follows this canary');
      return;
    }
    const existing = this.followed.get(key);
    if (existing) {
      existing.followers.push(follower);
      return;
    }
    const entry: Followed = { name, ref, plan, followers: [follower], lastSaid: follower.lastSaid, previous, stop: new AbortController(), queue: Promise.resolve() };
    this.followed.set(key, entry);
    void renewWhileHeld(this.deps, lease, () => this.drop(key, entry), entry.stop.signal);
    const onShutdown = (): void => entry.stop.abort();
    this.deps.shutdown.addEventListener('abort', onShutdown, { once: true });
    this.deps.cluster
      .watchCanary(ref, (state) => this.onState(key, entry, state), entry.stop.signal)
      .catch((err: unknown) => {
        if (entry.stop.signal.aborted) return;
        this.deps.log.warn({ err, canary: ref.name, namespace: ref.namespace }, 'lost the canary being followed');
        this.tell(entry, { type: 'follow-lost', canary: name, detail: err instanceof Error ? err.message : String(err) }, key);
        this.finish(key, entry);
      })
      .finally(() => this.deps.shutdown.removeEventListener('abort', onShutdown));
  }

  /** One observed state: tells the threads what changed; true (stop watching) once the analysis ended. */
  private onState(key: string, entry: Followed, state: CanaryState): boolean {
    const stage = stageOf(state);
    const previous = entry.previous;
    entry.previous = state;
    if (stage === entry.lastSaid) return false;
    entry.lastSaid = stage;
    const event = eventOf(entry.name, entry.plan, state, previous);
    const ended = !ACTIVE_PHASES.includes(state.phase) && state.phase !== '';
    if (!ended) {
      // Recorded before it is told: a replica taking over after a crash here skips this line rather than say it twice.
      const { namespace, canary, context } = entry.followers[0]!;
      entry.queue = entry.queue.then(() => this.deps.store.markCanaryFollowers(namespace, canary, context, stage)).catch((err: unknown) => this.deps.log.warn({ err }, 'could not record what followers were told'));
    }
    if (event) this.tell(entry, event, key);
    if (ended) {
      this.finish(key, entry);
      void this.deps.store.endCanaryRevisions(entry.ref.namespace, entry.ref.name, state.lastAppliedSpec).catch((err: unknown) => this.deps.log.warn({ err }, 'could not close the ended revision'));
      return true;
    }
    return false;
  }

  /** Tells every thread following the canary: those stored (Follow pressed on another replica counts), else the ones known here. */
  private tell(entry: Followed, event: CanaryFollowEvent, key?: string): void {
    entry.queue = entry.queue.then(async () => {
      const stored = key === undefined ? [] : await this.deps.store.canaryFollowers().then((all) => all.filter((f) => followKey(f) === key), () => []);
      const threads = (stored.length > 0 ? stored : entry.followers).map((f) => ({ channel: f.channel, threadTs: f.threadTs }));
      await Promise.all(threads.map((t) => this.sink.deliver(t, event).catch((err: unknown) => this.deps.log.warn({ err, channel: t.channel }, 'could not tell a following thread'))));
    });
  }

  /** Stops watching here without ending the follow: another replica took the canary's lease. */
  private drop(key: string, entry: Followed): void {
    if (this.followed.get(key) === entry) this.followed.delete(key);
    entry.stop.abort();
  }

  private finish(key: string, entry: Followed): void {
    this.drop(key, entry);
    const { namespace, canary, context } = entry.followers[0]!;
    entry.queue = entry.queue
      .then(() => this.deps.store.removeCanaryFollowers(namespace, canary, context))
      .then(() => releaseLease(this.deps, followLease(key), 'ended'))
      .then(
        () => undefined,
        (err: unknown) => this.deps.log.warn({ err }, 'could not remove followers'),
      );
  }

  /** Resolves when everything told so far was delivered (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.followed.values()].map((e) => e.queue));
  }
}

/** A key of what there is to say about a state: equal keys say nothing new. */
export function stageOf(s: CanaryState): string {
  return `${s.lastAppliedSpec ?? ''}|${s.phase}|w${s.canaryWeight}|i${s.iterations}|f${s.failedChecks}`;
}

/** What to tell about a new state, given the one before (null after a start). */
export function eventOf(name: CanaryName, plan: CanaryPlan, s: CanaryState, before: CanaryState | null): CanaryFollowEvent | null {
  switch (s.phase) {
    case 'Succeeded':
    case 'Initialized':
      return { type: 'verdict', canary: name, passed: true, phase: s.phase, failedChecks: s.failedChecks, message: s.message };
    case 'Failed':
    case 'Terminating':
    case 'Terminated':
      return { type: 'verdict', canary: name, passed: false, phase: s.phase, failedChecks: s.failedChecks, message: s.message };
    case 'Waiting':
      return { type: 'gate-waiting', canary: name, gate: 'rollout' };
    case 'WaitingPromotion':
      return { type: 'gate-waiting', canary: name, gate: 'promotion' };
    case 'Promoting':
    case 'Finalising':
      return { type: 'promoting', canary: name, phase: s.phase };
    case 'Progressing':
      if (s.failedChecks > (before?.failedChecks ?? 0)) return { type: 'checks-failed', canary: name, failedChecks: s.failedChecks, threshold: s.threshold };
      if (plan.kind === 'iterations') return { type: 'iteration', canary: name, iterations: s.iterations, target: plan.iterations };
      return { type: 'weight-step', canary: name, weight: s.canaryWeight, maxWeight: plan.kind === 'weights' ? (plan.weights.at(-1) ?? null) : s.maxWeight, iterations: s.iterations };
    default:
      return null;
  }
}
