// A protocol-level fake of the Kubernetes API server (generic over resources) with Argo CD and Flagger controller simulators inside.
//
// How it differs from a real API server:
// - No OpenAPI, RBAC, admission, validation against schemas, or server-side apply (415).
// - Any bearer token other than the one in its kubeconfig gets 401; no anonymous access. Plain http unless started
//   with `tls` (the sandbox does, so kubectl sends its token); over http its kubeconfig sets insecure-skip-tls-verify,
//   without which client-node 1.x refuses an http server. Discovery is legacy only (see discovery.ts).
// - Strategic merge patch on built-in types (core, apps) is applied as a JSON merge patch; on custom resources it is
//   415 as on a real server. Status subresources are not separate: a PUT or PATCH of the main resource writes status
//   too (as for Argo CD Applications, whose CRD has none); `/status` writes only status.
// - LIST ignores `limit`/`continue` (no pagination) and `resourceVersion` (always the latest); label selectors know
//   equality and existence terms only; field selectors know metadata.name and metadata.namespace.
// - WATCH starts with synthetic ADDED events when no resourceVersion (or "0") is given, replays history after a
//   given one, and answers 200 + an ERROR event with a 410 Status when that history was compacted (`compact()`).
//   No bookmarks. PUT requires metadata.resourceVersion (as for custom resources); DELETE has no finalizers or grace.
// - resourceVersions are one global counter, as with etcd; uids are random; generation counts non-metadata,
//   non-status changes.
// - Failures happen only when a test or the sandbox queues them on `faults` (../faults.ts; `kubeFaults` has the Status
//   bodies): 503, 409, 410, resets, hangs, slow or lost answers. A real API server that is down refuses connections
//   (ECONNREFUSED) rather than resetting them; client-node reports both as a network error.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArgoSimulator } from './argo.js';
import { discovery } from './discovery.js';
import { FlaggerSimulator } from './flagger.js';
import { typeOfKind } from './kinds.js';
import { ObjectStore, StatusError } from './objects.js';
import { handleRest, parsePath } from './routes.js';
import { mergePatch } from './patch.js';
import { WatchRegistry } from './watch.js';
import { Faults } from '../faults.js';

export interface KubeCall {
  method: string;
  /** path without the query */
  path: string;
  query?: string;
  contentType?: string;
  body?: unknown;
  /** the answer's status, once sent (a 409 lost a race; a watch has its status when the stream ends) */
  status?: number;
  /** when the request arrived and its answer was sent (ms since the epoch), for counting sequential round trips */
  startedAt?: number;
  endedAt?: number;
}

export interface KubeFake {
  url: string;
  /** delay before each request is answered (benchmarks); mutable */
  latencyMs: number;
  calls: KubeCall[];
  /** bearer token the fake accepts (the kubeconfig carries it) */
  token: string;
  /** kubeconfig YAML text pointing at this server (context name given, default 'fake'); write it to a file for KUBECONFIG */
  kubeconfig(contextName?: string): string;
  /** create or replace (server sets resourceVersion, uid, creationTimestamp, generation); emits watch events */
  apply(obj: any): any;
  get(apiVersion: string, kind: string, namespace: string, name: string): any | undefined;
  /** merges `merge` into the object's `.status`, as a controller would; emits MODIFIED */
  patchStatus(apiVersion: string, kind: string, namespace: string, name: string, merge: any): any;
  /** merge-patches the whole object without HTTP (not recorded in `calls`); emits MODIFIED */
  patch(apiVersion: string, kind: string, namespace: string, name: string, merge: any): any;
  /** test hook: cuts every open watch connection; returns how many */
  dropWatches(): number;
  /** test hook: forgets the event history, so a watch resuming from an older resourceVersion gets 410 Gone */
  compact(): void;
  /** test hook: runs when a request arrives, before it is answered (such as changing an object to force a 409) */
  onCall?: (call: KubeCall) => void;
  /** open watch connections */
  watchCount(): number;
  argo: ArgoSimulator;
  flagger: FlaggerSimulator;
  /** queued failures (API down, hung, 409, 410, slow or lost answers), matched by method and path */
  faults: Faults;
  close(): Promise<void>;
}

export async function startKubeFake(opts: { latencyMs?: number; token?: string; tls?: { key: string; cert: string }; port?: number } = {}): Promise<KubeFake> {
  const store = new ObjectStore();
  const watches = new WatchRegistry();
  const token = opts.token ?? 'sandbox-kube-token';
  const calls: KubeCall[] = [];

  const objectOf = (apiVersion: string, kind: string, namespace: string, name: string): { type: ReturnType<typeof typeOfKind>; current: any } => {
    const type = typeOfKind(apiVersion, kind);
    const current = store.get(type, namespace, name);
    if (!current) throw new Error(`${kind} ${namespace}/${name} does not exist in the fake`);
    return { type, current };
  };

  const fake: KubeFake = {
    url: '',
    latencyMs: opts.latencyMs ?? 0,
    calls,
    token,
    kubeconfig: (contextName = 'fake') => kubeconfigYaml(fake.url, token, contextName, opts.tls?.cert),
    apply(obj) {
      const type = typeOfKind(obj.apiVersion, obj.kind);
      const namespace = obj.metadata?.namespace ?? (type.namespaced ? 'default' : '');
      return store.put(type, namespace, obj);
    },
    get: (apiVersion, kind, namespace, name) => store.get(typeOfKind(apiVersion, kind), namespace, name),
    patchStatus: (apiVersion, kind, namespace, name, merge) => fake.patch(apiVersion, kind, namespace, name, { status: merge }),
    patch(apiVersion, kind, namespace, name, merge) {
      const { type, current } = objectOf(apiVersion, kind, namespace, name);
      return store.put(type, namespace, mergePatch(current, merge));
    },
    dropWatches: () => watches.drop(),
    compact: () => store.compact(),
    watchCount: () => watches.size,
    argo: new ArgoSimulator(store),
    flagger: new FlaggerSimulator(store),
    faults: new Faults(),
    close: async () => undefined,
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, new StatusError(500, 'InternalError', String(err)).toStatus());
      else res.destroy();
    });
  };
  const server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createServer(handler);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const call: KubeCall = { method: req.method ?? 'GET', path: url.pathname, ...(url.search ? { query: url.search.slice(1) } : {}), ...(contentType ? { contentType } : {}), ...(body !== undefined ? { body } : {}) };
    call.startedAt = Date.now();
    calls.push(call);
    res.on('finish', () => {
      call.status = res.statusCode;
      call.endedAt = Date.now();
    });
    fake.onCall?.(call);
    if ((await fake.faults.intercept(req, res)) === 'handled') return;
    if (fake.latencyMs > 0) await sleep(fake.latencyMs);
    if (req.headers.authorization !== `Bearer ${token}`) {
      reply(res, 401, new StatusError(401, 'Unauthorized', 'Unauthorized').toStatus());
      return;
    }
    const document = req.method === 'GET' ? discovery(url.pathname) : null;
    if (document) {
      reply(res, 200, document);
      return;
    }
    const target = parsePath(url.pathname);
    // Without Flagger's CRDs the API server knows no flagger.app resources: 404 naming no object.
    if (!target || (target.type.group === 'flagger.app' && !fake.flagger.crdInstalled)) {
      reply(res, 404, new StatusError(404, 'NotFound', 'the server could not find the requested resource').toStatus());
      return;
    }
    const watch = url.searchParams.get('watch');
    try {
      if (req.method === 'GET' && (watch === 'true' || watch === '1') && !target.name) {
        watches.serve(store, target, url.searchParams, res);
        return;
      }
      if (typeof body === 'string') throw new StatusError(400, 'BadRequest', 'the body of the request is not JSON');
      const answer = handleRest(store, req.method ?? 'GET', target, url.searchParams, contentType ?? '', body);
      reply(res, answer.status, answer.body);
    } catch (err) {
      if (err instanceof StatusError) reply(res, err.code, err.toStatus());
      else throw err;
    }
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  fake.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    fake.argo.stop();
    fake.flagger.stop();
    fake.faults.clear();
    watches.endAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return fake;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function kubeconfigYaml(server: string, token: string, context: string, caPem?: string): string {
  const trust = caPem
    ? `      certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`
    : `      # client-node refuses plain http unless TLS verification is off; this fake speaks http
      insecure-skip-tls-verify: true`;
  return `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${server}
${trust}
users:
  - name: fake
    user:
      token: ${token}
contexts:
  - name: ${context}
    context:
      cluster: fake
      user: fake
      namespace: default
current-context: ${context}
`;
}
