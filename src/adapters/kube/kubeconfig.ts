// Loads the kubeconfig explicitly (KUBECONFIG files, else the in-cluster service account, else ~/.kube/config) and builds clients per context.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';

/**
 * KUBECONFIG (one path or several joined by the platform delimiter, merged as kubectl does) when given; else the
 * in-cluster config when running in a pod. Never client-node's silent fallback to http://localhost:8080.
 */
export function loadKubeConfig(kubeconfig?: string, env: Record<string, string | undefined> = process.env): KubeConfig {
  const standard = env.HOME ? join(env.HOME, '.kube', 'config') : null;
  // kubectl's standard place applies outside a pod when KUBECONFIG is unset; in a pod the service account wins.
  const fallback = !kubeconfig && !env.KUBERNETES_SERVICE_HOST && standard && existsSync(standard) ? standard : undefined;
  const paths = (kubeconfig ?? fallback ?? '').split(delimiter).filter(Boolean);
  const kc = new KubeConfig();
  if (paths.length > 0) {
    paths.forEach((path, i) => {
      if (!existsSync(path)) throw new Error(`KUBECONFIG names ${path}, which does not exist`);
      const next = i === 0 ? kc : new KubeConfig();
      try {
        next.loadFromFile(path);
      } catch (err) {
        throw new Error(`KUBECONFIG file ${path} could not be read: ${(err as Error).message}`, { cause: err });
      }
      if (next !== kc) kc.mergeConfig(next, true);
    });
    if (!kc.getCurrentCluster()) {
      throw new Error(`KUBECONFIG (${paths.join(', ')}) has no usable current context ("${kc.getCurrentContext() ?? ''}"): set current-context to a context whose cluster is defined`);
    }
    return kc;
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return kc;
  }
  throw new Error(
    'No Kubernetes configuration: set KUBECONFIG to a kubeconfig file (such as ~/.kube/config), or run in a pod with a service account (KUBERNETES_SERVICE_HOST is not set).',
  );
}

/** The clients Flightdeck uses against one kubeconfig context. */
export interface ContextClients {
  context: string;
  kubeconfig: KubeConfig;
  customObjects: CustomObjectsApi;
  watch: Watch;
}

/** Clients for a context of the kubeconfig (undefined: its current context), on a copy so the original stays as it is. */
export function contextClients(kc: KubeConfig, context?: string): ContextClients {
  const copy = new KubeConfig();
  const name = context ?? kc.getCurrentContext();
  if (!kc.getContextObject(name)) {
    const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new Error(`kubeconfig has no context "${name}" (contexts: ${known})`);
  }
  copy.loadFromOptions({ clusters: kc.getClusters(), users: kc.getUsers(), contexts: kc.getContexts(), currentContext: name });
  return { context: name, kubeconfig: copy, customObjects: copy.makeApiClient(CustomObjectsApi), watch: new Watch(copy) };
}
