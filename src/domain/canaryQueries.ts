// The PromQL Flagger runs for a Canary's metrics: its built-in checks (Istio, its default mesh) and MetricTemplate queries, rendered the same way.
//
// From fluxcd/flagger pkg/metrics/observers/istio.go (the factory falls back to Istio for an unset provider) and
// render.go: templates see name, namespace, target, service, ingress and interval. The built-in request-duration is
// the P99 in milliseconds; request-success-rate is the percentage of non-5xx responses.

/** What a query template is rendered with (flaggerv1.MetricTemplateModel). */
export interface QueryModel {
  name: string;
  namespace: string;
  target: string;
  service: string;
  ingress: string;
  interval: string;
  variables?: Record<string, string>;
}

const ISTIO: Record<string, string> = {
  'request-success-rate': `
    sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload=~"{{ target }}", response_code!~"5.*"}[{{ interval }}]))
    /
    sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload=~"{{ target }}"}[{{ interval }}]))
    * 100`,
  'request-duration': `
    histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_workload_namespace="{{ namespace }}", destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))`,
};

export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;

export function isBuiltinMetric(name: string): boolean {
  return (BUILTIN_METRICS as readonly string[]).includes(name);
}

/** The unit a metric's value is shown in: built-ins are a percentage and milliseconds (P99); templates are plain numbers. */
export function metricUnit(name: string): { unit: '%' | 'ms' | ''; note: string | null } {
  if (name === 'request-success-rate') return { unit: '%', note: null };
  if (name === 'request-duration') return { unit: 'ms', note: 'P99' };
  return { unit: '', note: null };
}

/**
 * The built-in query for a provider, or null when Flightdeck does not know that provider's queries (Flagger's other
 * observers: Linkerd, App Mesh, NGINX, Contour, Gloo, …); an unset provider is Istio, as in Flagger.
 */
export function builtinQuery(provider: string | null, metric: string, model: QueryModel): string | null {
  if (provider !== null && provider !== 'istio') return null;
  const template = ISTIO[metric];
  return template ? renderQuery(template, model) : null;
}

/** Renders `{{ name }}`-style placeholders (and `{{ variables.key }}`) as Flagger's text/template does; whitespace collapsed as Flagger sends it. */
export function renderQuery(template: string, model: QueryModel): string {
  const rendered = template.replace(/\{\{\s*([A-Za-z]+)(?:\.([A-Za-z0-9_]+))?\s*\}\}/g, (whole, key: string, sub: string | undefined) => {
    if (key === 'variables' && sub) return model.variables?.[sub] ?? whole;
    const value = (model as unknown as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : whole;
  });
  return rendered.replace(/\s+/g, ' ').trim();
}
