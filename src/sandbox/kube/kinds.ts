// Kind <-> plural names of the resources the Kubernetes fake serves, and the key it files an object under.

export interface ResourceType {
  /** '' for the core group */
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const KNOWN: ResourceType[] = [
  { group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', plural: 'applications', namespaced: true },
  { group: 'flagger.app', version: 'v1beta1', kind: 'Canary', plural: 'canaries', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
];

/** "argoproj.io/v1alpha1" -> group and version; "v1" -> core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** The type an object of this apiVersion and kind belongs to; unknown kinds are namespaced with plural lowercase + "s". */
export function typeOfKind(apiVersion: string, kind: string): ResourceType {
  const { group, version } = splitApiVersion(apiVersion);
  const known = KNOWN.find((t) => t.group === group && t.kind === kind);
  return known ? { ...known, version } : { group, version, kind, plural: `${kind.toLowerCase()}s`, namespaced: true };
}

/** The type a URL names by group, version and plural; an unknown plural gets a kind guessed from it. */
export function typeOfPlural(group: string, version: string, plural: string): ResourceType {
  const known = KNOWN.find((t) => t.group === group && t.plural === plural);
  if (known) return { ...known, version };
  const singular = plural.endsWith('s') ? plural.slice(0, -1) : plural;
  return { group, version, kind: singular.charAt(0).toUpperCase() + singular.slice(1), plural, namespaced: true };
}

/** "applications.argoproj.io" or "configmaps", as the API server names a resource in messages. */
export function qualifiedName(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

/** Objects are filed per group and plural (all versions of a type share them, as with a real storage version). */
export function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/** The types the fake knows by name, for API discovery (kubectl asks before it lists). */
export const KNOWN_TYPES: readonly ResourceType[] = KNOWN;
