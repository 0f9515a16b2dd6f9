// Loads the kubeconfig explicitly (in a pod: this cluster, plus the contexts of KUBECONFIG for other clusters; outside one:
// KUBECONFIG or ~/.kube/config) and builds clients per context whose every call has a timeout.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
import { createConfiguration, CustomObjectsApi, KubeConfig, Observable, ServerConfiguration, Watch, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/** The context, cluster and user names client-node gives the in-cluster config (KubeConfig.loadFromCluster). */
export const IN_CLUSTER_CONTEXT = 'inClusterContext';
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** How long one Kubernetes API call (not a watch) may take before it fails. */
export const KUBE_CALL_TIMEOUT_MS = 15_000;

/**
 * In a pod (KUBERNETES_SERVICE_HOST set) the current context is always this cluster, through the service account;
 * KUBECONFIG only adds the contexts of other clusters, so an environment without `cluster.context`/`argocd.context`
 * can never reach a remote one. Outside a pod: KUBECONFIG (one path or several joined by the platform delimiter,
 * merged as kubectl does), else ~/.kube/config. Never client-node's silent fallback to http://localhost:8080.
 */
export function loadKubeConfig(kubeconfig?: string, env: Record<string, string | undefined> = process.env): KubeConfig {
  const inPod = Boolean(env.KUBERNETES_SERVICE_HOST);
  const standard = env.HOME ? join(env.HOME, '.kube', 'config') : null;
  // kubectl's standard place applies outside a pod when KUBECONFIG is unset; in a pod the service account wins.
  const fallback = !kubeconfig && !inPod && standard && existsSync(standard) ? standard : undefined;
  const paths = (kubeconfig ?? fallback ?? '').split(delimiter).filter(Boolean);
  const kc = new KubeConfig();
  if (inPod) loadInCluster(kc, env);
  paths.forEach((path, i) => {
    if (!existsSync(path)) throw new Error(`KUBECONFIG names ${path}, which does not exist`);
    const next = i === 0 && !inPod ? kc : new KubeConfig();
    try {
      next.loadFromFile(path);
    } catch (err) {
      throw new Error(`KUBECONFIG file ${path} could not be read: ${(err as Error).message}`, { cause: err });
    }
    if (next === kc) return;
    try {
      kc.mergeConfig(next, true);
    } catch (err) {
      throw new Error(`KUBECONFIG file ${path} cannot be added: ${(err as Error).message} (the names inCluster, inClusterUser and ${IN_CLUSTER_CONTEXT} are this cluster's)`, { cause: err });
    }
  });
  if (inPod) return kc;
  if (paths.length === 0) {
    throw new Error(
      'No Kubernetes configuration: set KUBECONFIG to a kubeconfig file (such as ~/.kube/config), or run in a pod with a service account (KUBERNETES_SERVICE_HOST is not set).',
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`KUBECONFIG (${paths.join(', ')}) has no usable current context ("${kc.getCurrentContext() ?? ''}"): set current-context to a context whose cluster is defined`);
  }
  return kc;
}

/** The service account's view of this cluster, as KubeConfig.loadFromCluster builds it, but from the given environment. */
function loadInCluster(kc: KubeConfig, env: Record<string, string | undefined>): void {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const namespaceFile = `${SERVICE_ACCOUNT}/namespace`;
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: `${SERVICE_ACCOUNT}/ca.crt`, skipTLSVerify: false }],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: `${SERVICE_ACCOUNT}/token` } } }],
    contexts: [{ name: IN_CLUSTER_CONTEXT, cluster: 'inCluster', user: 'inClusterUser', ...(namespace ? { namespace } : {}) }],
    currentContext: IN_CLUSTER_CONTEXT,
  });
}

/** Where a context leads: its name and the API server URL (for the start-up log). */
export function clusterOf(kc: KubeConfig, context?: string): { context: string; server: string } {
  const name = context ?? kc.getCurrentContext();
  const ctx = kc.getContextObject(name);
  const server = ctx ? kc.getCluster(ctx.cluster)?.server : undefined;
  return { context: name, server: server ?? `(no such context; contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})` };
}

/** Per environment, the cluster its Argo CD Application and its workloads/canaries resolve to. */
export function environmentClusters(
  kc: KubeConfig,
  environments: ReadonlyArray<{ name: string; argocd: { context?: string | undefined }; cluster?: { context?: string | undefined } | undefined }>,
): Array<{ env: string; argocd: { context: string; server: string }; cluster: { context: string; server: string } }> {
  return environments.map((e) => ({ env: e.name, argocd: clusterOf(kc, e.argocd.context), cluster: clusterOf(kc, e.cluster?.context) }));
}

/** The clients Flightdeck uses against one kubeconfig context. */
export interface ContextClients {
  context: string;
  kubeconfig: KubeConfig;
  customObjects: CustomObjectsApi;
  watch: Watch;
}

/**
 * Clients for a context of the kubeconfig (undefined: its current context), on a copy so the original stays as it is.
 * Every API call is aborted after `timeoutMs`: a hung API server fails the call instead of holding a request forever.
 */
export function contextClients(kc: KubeConfig, context?: string, opts: { timeoutMs?: number } = {}): ContextClients {
  const copy = new KubeConfig();
  const name = context ?? kc.getCurrentContext();
  if (!kc.getContextObject(name)) {
    const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new Error(`kubeconfig has no context "${name}" (contexts: ${known})`);
  }
  copy.loadFromOptions({ clusters: kc.getClusters(), users: kc.getUsers(), contexts: kc.getContexts(), currentContext: name });
  const cluster = copy.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig context "${name}" names no defined cluster`);
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: copy },
    middleware: [callTimeout(opts.timeoutMs ?? KUBE_CALL_TIMEOUT_MS)],
  });
  return { context: name, kubeconfig: copy, customObjects: new CustomObjectsApi(configuration), watch: new Watch(copy) };
}

/** A client-node middleware that gives each call an AbortSignal that fires after `ms` (response body included). */
function callTimeout(ms: number) {
  return {
    pre: (context: RequestContext): Observable<RequestContext> => {
      const existing = context.getSignal();
      const timeout = AbortSignal.timeout(ms);
      context.setSignal(existing ? AbortSignal.any([existing, timeout]) : timeout);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext): Observable<ResponseContext> => new Observable(Promise.resolve(response)),
  };
}
