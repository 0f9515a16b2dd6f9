// A Cluster whose Kubernetes client is still loading: calls wait for it, so the HTTP port need not.
import type { ArgoAppRef, ArgoAppState, CanaryLookup, CanaryRef, CanaryState, Cluster, MetricTemplateSpec, SyncRequestResult } from '../../ports.js';

/**
 * @kubernetes/client-node takes about 400 ms to import (it loads every generated API model). Starting that import
 * alongside the rest and letting calls await it keeps it off the path from start to ready; a failure to load
 * (a bad kubeconfig) still surfaces through `loaded`.
 */
export class DeferredCluster implements Cluster {
  constructor(readonly loaded: Promise<Cluster>) {
    loaded.catch(() => undefined);
  }

  async getApplication(ref: ArgoAppRef): Promise<ArgoAppState | null> {
    return (await this.loaded).getApplication(ref);
  }

  async requestSync(ref: ArgoAppRef, input: { revision: string; username: string; info: Array<{ name: string; value: string }> }, basis?: ArgoAppState | null): Promise<SyncRequestResult> {
    return (await this.loaded).requestSync(ref, input, basis);
  }

  async watchApplication(ref: ArgoAppRef, onState: (state: ArgoAppState) => boolean, signal: AbortSignal, onTrouble?: (detail: string) => void): Promise<void> {
    return (await this.loaded).watchApplication(ref, onState, signal, onTrouble);
  }

  async getCanary(ref: CanaryRef): Promise<CanaryState | null> {
    return (await this.loaded).getCanary(ref);
  }

  async watchCanary(ref: CanaryRef, onState: (state: CanaryState) => boolean, signal: AbortSignal): Promise<void> {
    return (await this.loaded).watchCanary(ref, onState, signal);
  }

  async lookupCanary(ref: CanaryRef): Promise<CanaryLookup> {
    return (await this.loaded).lookupCanary(ref);
  }

  async getMetricTemplate(ref: CanaryRef): Promise<MetricTemplateSpec | null> {
    return (await this.loaded).getMetricTemplate(ref);
  }
}
