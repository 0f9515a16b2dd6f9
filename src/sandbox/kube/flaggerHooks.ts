// The webhooks the Flagger simulator calls as Flagger does: POST {name, namespace, phase, checksum, metadata}; status <= 202 passes.
//
// As in fluxcd/flagger pkg/controller/webhook.go: the body carries the canary's checksum, a hash of
// status.trackedConfigs and status.lastAppliedSpec, so it names one revision. Unlike Flagger the hash is a sha256
// prefix (Flagger uses hashstructure), retries are not made, and the timeout defaults to 2 s instead of 10 s.
import { createHash } from 'node:crypto';

export type HookType = 'confirm-rollout' | 'confirm-promotion' | 'rollback' | 'pre-rollout' | 'post-rollout' | 'event';

export interface HookCall {
  type: HookType;
  url: string;
  canary: string;
  phase: string;
  checksum: string;
  /** the answer's status, or 0 when the call failed */
  status: number;
  pass: boolean;
}

/** The checksum Flagger sends for a canary's current revision. */
export function canaryChecksum(canary: any): string {
  const fields = { trackedConfigs: canary?.status?.trackedConfigs ?? {}, lastAppliedSpec: canary?.status?.lastAppliedSpec ?? '' };
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

export class FlaggerHooks {
  readonly calls: HookCall[] = [];

  /** The canary's webhooks of a type (spec.analysis.webhooks[]). */
  of(canary: any, type: HookType): Array<{ url: string; timeout?: string; metadata?: Record<string, string> }> {
    const hooks: any[] = canary?.spec?.analysis?.webhooks ?? [];
    return hooks.filter((h) => h?.type === type && typeof h.url === 'string');
  }

  has(canary: any, type: HookType): boolean {
    return this.of(canary, type).length > 0;
  }

  /** Calls every hook of the type; passes when all pass (Flagger stops at the first failure). */
  async call(canary: any, type: HookType): Promise<boolean> {
    for (const hook of this.of(canary, type)) {
      const body = {
        name: canary.metadata.name,
        namespace: canary.metadata.namespace,
        phase: canary.status?.phase ?? '',
        checksum: canaryChecksum(canary),
        metadata: hook.metadata ?? {},
      };
      let status = 0;
      try {
        const res = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(2_000) });
        await res.text();
        status = res.status;
      } catch {
        status = 0;
      }
      const pass = status > 0 && status <= 202;
      this.calls.push({ type, url: hook.url, canary: `${body.namespace}/${body.name}`, phase: body.phase, checksum: body.checksum, status, pass });
      if (!pass) return false;
    }
    return true;
  }
}
