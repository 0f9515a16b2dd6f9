// The Cluster port on client-node: reads Argo CD Applications, asks them to sync without overwriting an operation, follows them;
// reads and follows Flagger Canaries.
import { ApiException, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ArgoAppRef, ArgoAppState, CanaryLookup, CanaryRef, CanaryState, Cluster, MetricTemplateSpec, SyncRequestResult } from '../../ports.js';
import { busyWith, fromState, toArgoAppState, type ApplicationObject } from './appState.js';
import { toCanaryDetail, toCanaryState, toMetricTemplate, type CanaryObject, type MetricTemplateObject } from './canaryState.js';
import { contextClients, type ContextClients } from './kubeconfig.js';
import { watchObject } from './watchObject.js';
import { timed } from '../../runtime/timed.js';

/** A custom resource Flightdeck reads. */
interface Resource {
  group: string;
  version: string;
  plural: string;
}
const APPLICATIONS: Resource = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };
const CANARIES: Resource = { group: 'flagger.app', version: 'v1beta1', plural: 'canaries' };
const METRIC_TEMPLATES: Resource = { group: 'flagger.app', version: 'v1beta1', plural: 'metrictemplates' };
const REFRESH = 'argocd.argoproj.io/refresh';
/** re-reads after a 409 before giving up */
const CONFLICT_RETRIES = 3;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface KubeClusterOptions {
  /** every API call: operation such as 'PATCH applications', its duration and whether it answered as expected */
  onRequest?: (operation: string, seconds: number, ok: boolean) => void;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** watch restart backoff (tests shorten it) */
  watchBackoff?: { initialMs: number; maxMs: number };
}

function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/**
 * Whether a 404 names the object (`canaries.flagger.app "x" not found`, with details.name) rather than the resource
 * type: an API server without the CRD answers "the server could not find the requested resource" and names nothing.
 */
function namesObject(err: unknown): boolean {
  const body = err instanceof ApiException ? err.body : undefined;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return false;
    }
  }
  return Boolean((parsed as { details?: { name?: string } } | undefined)?.details?.name);
}

export class KubeCluster implements Cluster {
  private readonly clients = new Map<string, ContextClients>();

  constructor(private readonly kc: KubeConfig, private readonly opts: KubeClusterOptions = {}) {}

  async getApplication(ref: ArgoAppRef): Promise<ArgoAppState | null> {
    const app = await this.read(ref);
    return app ? toArgoAppState(app) : null;
  }

  async getCanary(ref: CanaryRef): Promise<CanaryState | null> {
    const canary = await this.readObject<CanaryObject>(CANARIES, ref);
    return canary ? toCanaryState(canary) : null;
  }

  async lookupCanary(ref: CanaryRef): Promise<CanaryLookup> {
    const { customObjects } = this.clientsOf(ref);
    return this.timed(`GET ${CANARIES.plural}`, [404], async () => {
      try {
        const canary = (await customObjects.getNamespacedCustomObject({ ...CANARIES, namespace: ref.namespace, name: ref.name })) as CanaryObject;
        return { found: true, canary: toCanaryDetail(canary) };
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
        return { found: false, why: namesObject(err) ? 'missing' : 'no-crd' };
      }
    });
  }

  async getMetricTemplate(ref: CanaryRef): Promise<MetricTemplateSpec | null> {
    const template = await this.readObject<MetricTemplateObject>(METRIC_TEMPLATES, ref);
    return template ? toMetricTemplate(template) : null;
  }

  async requestSync(ref: ArgoAppRef, input: { revision: string; username: string; info: Array<{ name: string; value: string }> }, basis?: ArgoAppState | null): Promise<SyncRequestResult> {
    // Based on the state the caller already holds (no read of its own) when it carries a resourceVersion.
    let app: ApplicationObject | null = basis?.resourceVersion ? fromState(basis) : await this.read(ref);
    for (let retry = 0; ; retry++) {
      if (!app) throw new Error(`Argo CD Application ${ref.namespace}/${ref.name} does not exist`);
      const busy = busyWith(app);
      if (busy) return { started: false, ...busy };
      const operation = {
        initiatedBy: { username: input.username, automated: false },
        info: input.info,
        sync: { revision: input.revision, syncStrategy: { hook: {} } },
        retry: {},
      };
      try {
        // resourceVersion makes the write conditional: if anything changed since the read, the server answers 409. The
        // refresh annotation rides along, so Argo CD compares against git now, in the same write.
        await this.patch(ref, { metadata: { resourceVersion: app.metadata?.resourceVersion, annotations: { [REFRESH]: 'normal' } }, operation });
        this.opts.log?.info({ application: ref.name, namespace: ref.namespace, revision: input.revision, username: input.username }, 'argo cd sync requested');
        return { started: true };
      } catch (err) {
        if (statusCode(err) !== 409) throw err;
        if (retry >= CONFLICT_RETRIES) throw new Error(`Argo CD Application ${ref.namespace}/${ref.name} kept changing while a sync was requested; try again`, { cause: err });
        this.opts.log?.info({ application: ref.name, retry: retry + 1 }, 'application changed meanwhile; reading it again');
        app = await this.read(ref);
      }
    }
  }

  watchApplication(ref: ArgoAppRef, onState: (state: ArgoAppState) => boolean, signal: AbortSignal, onTrouble?: (detail: string) => void): Promise<void> {
    return this.watch<ApplicationObject>(APPLICATIONS, ref, (obj) => onState(toArgoAppState(obj)), signal, onTrouble);
  }

  watchCanary(ref: CanaryRef, onState: (state: CanaryState) => boolean, signal: AbortSignal): Promise<void> {
    return this.watch<CanaryObject>(CANARIES, ref, (obj) => onState(toCanaryState(obj)), signal);
  }

  private async watch<T extends object>(resource: Resource, ref: ArgoAppRef, onObject: (obj: T) => boolean, signal: AbortSignal, onTrouble?: (detail: string) => void): Promise<void> {
    const { watch } = this.clientsOf(ref);
    await watchObject({
      watch,
      path: `/apis/${resource.group}/${resource.version}/namespaces/${encodeURIComponent(ref.namespace)}/${resource.plural}`,
      name: ref.name,
      read: () => this.readObject<T>(resource, ref),
      onObject,
      signal,
      onStream: (seconds, ok) => this.opts.onRequest?.(`WATCH ${resource.plural}`, seconds, ok),
      ...(this.opts.log ? { log: this.opts.log } : {}),
      ...(this.opts.watchBackoff ? { backoff: this.opts.watchBackoff } : {}),
      ...(onTrouble ? { onTrouble } : {}),
    });
  }

  /** The Application object, or null when there is none. */
  private read(ref: ArgoAppRef): Promise<ApplicationObject | null> {
    return this.readObject<ApplicationObject>(APPLICATIONS, ref);
  }

  private async readObject<T>(resource: Resource, ref: ArgoAppRef): Promise<T | null> {
    const { customObjects } = this.clientsOf(ref);
    return this.timed(`GET ${resource.plural}`, [404], async () => {
      try {
        return (await customObjects.getNamespacedCustomObject({ ...resource, namespace: ref.namespace, name: ref.name })) as T;
      } catch (err) {
        if (statusCode(err) === 404) return null;
        throw err;
      }
    });
  }

  /** A JSON merge patch (RFC 7386); client-node would send a JSON patch unless told. 404 -> null. */
  private async patch(ref: ArgoAppRef, body: object): Promise<ApplicationObject | null> {
    const { customObjects } = this.clientsOf(ref);
    return this.timed(`PATCH ${APPLICATIONS.plural}`, [404, 409], async () => {
      try {
        return (await customObjects.patchNamespacedCustomObject({ ...APPLICATIONS, namespace: ref.namespace, name: ref.name, body }, MERGE_PATCH)) as ApplicationObject;
      } catch (err) {
        if (statusCode(err) === 404) return null;
        throw err;
      }
    });
  }

  private timed<T>(operation: string, expected: number[], call: () => Promise<T>): Promise<T> {
    return timed(call, (seconds, ok) => this.opts.onRequest?.(operation, seconds, ok), (err) => expected.includes(statusCode(err) ?? -1));
  }

  private clientsOf(ref: ArgoAppRef): ContextClients {
    const key = ref.context ?? '';
    let clients = this.clients.get(key);
    if (!clients) {
      clients = contextClients(this.kc, ref.context);
      this.clients.set(key, clients);
    }
    return clients;
  }
}
