// API discovery for the Kubernetes fake (/version, /api, /apis and each group version), so kubectl can find the resources it lists.
//
// Legacy (unaggregated) discovery only: kubectl asks for the aggregated form first and falls back when the answer is
// plain application/json, as against an older API server. Verbs are what the fake serves, not what RBAC would allow.
import { apiVersionOf, KNOWN_TYPES, type ResourceType } from './kinds.js';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const SHORT_NAMES: Record<string, string[]> = { applications: ['app', 'apps'], deployments: ['deploy'], configmaps: ['cm'], namespaces: ['ns'] };

function resource(type: ResourceType) {
  const shortNames = SHORT_NAMES[type.plural];
  return { name: type.plural, singularName: type.kind.toLowerCase(), namespaced: type.namespaced, kind: type.kind, verbs: VERBS, ...(shortNames ? { shortNames } : {}) };
}

function groupOf(name: string) {
  const versions = [...new Set(KNOWN_TYPES.filter((t) => t.group === name).map((t) => t.version))].map((version) => ({ groupVersion: apiVersionOf(name, version), version }));
  return { name, versions, preferredVersion: versions[0] };
}

/** The discovery document for a path, or null when the path is not a discovery path. */
export function discovery(pathname: string): unknown {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/version') return { major: '1', minor: '30', gitVersion: 'v1.30.0-flightdeck-sandbox', platform: 'linux/amd64' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [...new Set(KNOWN_TYPES.map((t) => t.group).filter((g) => g !== ''))].map(groupOf);
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!match) return null;
  const [group, version] = match[1] ? ['', match[1]] : [match[2]!, match[3]!];
  const types = KNOWN_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return null;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources: types.map(resource) };
}
