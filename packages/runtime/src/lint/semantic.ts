import { namespaceOf, objectKey } from '../api/manifests.js';
import { matchesLabels as matches } from '../k8s/labels.js';
import { serviceFqdn } from '../k8s/names.js';
import { meshHostConflicts } from '../istio/host-owners.js';
import { qualifyGateway, qualifyHost } from '../istio/hosts.js';
import { ROOT_NAMESPACE } from '../istio/mesh-config.js';
import { packageForImage, serviceOfImage } from '../workloads/images.js';
import type { Problem } from './schema-check.js';

/** One object as linted: where it came from, and its content. */
export interface LintedObject {
  file: string;
  object: Record<string, any>;
}

export interface Finding extends Problem {
  file: string;
  /** `Kind namespace/name` */
  subject: string;
  /** A warning does not fail lint: what istioctl analyze only reports as information, or what only the local runtime lacks. */
  severity?: 'warning';
}

/** Istio selects a port's protocol by its name's prefix (or appProtocol). */
const PROTOCOL_NAME = /^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|redis|mysql|udp)(-.*)?$/;
const INJECTION_LABELS = ['istio-injection', 'istio.io/rev'];

export const subjectOf = (o: Record<string, any>) => `${o.kind} ${o.kind === 'Namespace' ? '' : `${namespaceOf(o)}/`}${o.metadata?.name}`;

/**
 * Checks across objects, in the spirit of istioctl analyze: what the routing names must exist, one VirtualService per
 * host, workloads labelled for routing and telemetry, Services that select something with protocol-named ports, our
 * images backed by a package, mall namespaces in the mesh, cross-namespace Gateway API references granted.
 * Several files may hold versions of one object (the canary's VirtualService mall); those are alternatives, not
 * duplicates.
 */
export function checkSemantics(objects: LintedObject[], servicesDir: string): Finding[] {
  const findings: Finding[] = [];
  const report = (item: LintedObject, path: string, message: string, severity?: 'warning') =>
    findings.push({ file: item.file, subject: subjectOf(item.object), path, message, ...(severity ? { severity } : {}) });
  const ofKind = (kind: string, apiGroup?: string) =>
    objects.filter((o) => o.object.kind === kind && (!apiGroup || String(o.object.apiVersion).startsWith(apiGroup)));

  const services = new Map(ofKind('Service').map((s) => [serviceFqdn(s.object.metadata.name, namespaceOf(s.object)), s.object]));
  const workloads = [...ofKind('Deployment'), ...ofKind('StatefulSet')];
  const rules = ofKind('DestinationRule', 'networking.istio.io');
  const gateways = new Set(ofKind('Gateway', 'networking.istio.io').map((g) => `${namespaceOf(g.object)}/${g.object.metadata.name}`));

  const checkDestination = (item: LintedObject, destination: any, path: string) => {
    if (typeof destination?.host !== 'string') return;
    const fqdn = qualifyHost(destination.host, namespaceOf(item.object));
    const service = services.get(fqdn);
    if (!service) return report(item, `${path}.host`, `${fqdn} is not a Service in the linted files`);
    const port = destination.port?.number;
    if (port !== undefined && !service.spec?.ports?.some((p: any) => p.port === port)) report(item, `${path}.port.number`, `Service ${fqdn} has no port ${port}`);
    if (destination.subset === undefined) return;
    const defined = rules.some(
      (r) => qualifyHost(String(r.object.spec?.host), namespaceOf(r.object)) === fqdn && r.object.spec?.subsets?.some((s: any) => s.name === destination.subset),
    );
    if (!defined) report(item, `${path}.subset`, `no DestinationRule defines subset ${destination.subset} for ${fqdn}`);
  };

  const virtualServices = ofKind('VirtualService', 'networking.istio.io');
  const claimant = (item: LintedObject) => ({ key: objectKey(item.object), namespace: namespaceOf(item.object), hosts: item.object.spec?.hosts ?? [], gateways: item.object.spec?.gateways, exportTo: item.object.spec?.exportTo });
  const conflicts = [...meshHostConflicts(virtualServices, claimant)];
  for (const item of virtualServices) {
    const spec = item.object.spec ?? {};
    (spec.gateways ?? []).forEach((g: string, i: number) => {
      const name = qualifyGateway(g, namespaceOf(item.object));
      if (name !== 'mesh' && !gateways.has(name)) report(item, `spec.gateways[${i}]`, `no Gateway ${name} in the linted files`);
    });
    for (const { host, index, owner } of conflicts.filter((c) => c.claimant === item)) {
      report(item, `spec.hosts[${index}]`, `${host} is also routed by ${subjectOf(owner.object)} (${owner.file}); Istio needs one VirtualService per host`);
    }
    (spec.http ?? []).forEach((route: any, i: number) => {
      (route.route ?? []).forEach((d: any, j: number) => checkDestination(item, d.destination, `spec.http[${i}].route[${j}].destination`));
      if (route.mirror) checkDestination(item, route.mirror, `spec.http[${i}].mirror`);
    });
  }

  for (const item of rules) {
    const fqdn = qualifyHost(String(item.object.spec?.host), namespaceOf(item.object));
    if (!services.has(fqdn)) report(item, 'spec.host', `${fqdn} is not a Service in the linted files`);
  }

  for (const item of workloads) {
    const labels = item.object.spec?.template?.metadata?.labels ?? {};
    for (const label of ['app', 'version']) {
      if (!labels[label]) report(item, `spec.template.metadata.labels.${label}`, `pods need the label ${label} (Istio routing and telemetry use it)`);
    }
    const selector = item.object.spec?.selector?.matchLabels;
    if (selector && !matches(labels, selector)) report(item, 'spec.selector.matchLabels', 'does not match the pod template labels (the API server refuses it)');
    (item.object.spec?.template?.spec?.containers ?? []).forEach((container: any, i: number) => {
      const image = String(container.image ?? '');
      const path = `spec.template.spec.containers[${i}].image`;
      if (serviceOfImage(image)) {
        if (!packageForImage(image, servicesDir)) report(item, path, `${image} names no package in services/`);
      } else if (!/:[\w][\w.-]*$/.test(image.replace(/@sha256:[\da-f]+$/, ':pinned')) || image.endsWith(':latest')) {
        report(item, path, `${image} is not pinned to a version`);
      }
    });
  }

  for (const item of ofKind('Service')) {
    const selector = item.object.spec?.selector;
    const namespace = namespaceOf(item.object);
    if (selector && !workloads.some((w) => namespaceOf(w.object) === namespace && matches(w.object.spec?.template?.metadata?.labels, selector))) {
      report(item, 'spec.selector', `selects no Deployment or StatefulSet in namespace ${namespace}`);
    }
    (item.object.spec?.ports ?? []).forEach((port: any, i: number) => {
      if (!port.appProtocol && !PROTOCOL_NAME.test(String(port.name ?? ''))) {
        // istioctl analyze: IST0118 PortNameIsNotUnderNamingConvention, an Info.
        report(item, `spec.ports[${i}].name`, `name the port by protocol (http, grpc, tcp, mongo… or http-<suffix>) so Istio can route it`, 'warning');
      }
    });
  }

  const meshNamespaces = new Set(workloads.filter((w) => w.object.spec?.template?.spec?.containers?.some((c: any) => serviceOfImage(String(c.image)))).map((w) => namespaceOf(w.object)));
  for (const item of ofKind('Namespace')) {
    if (!meshNamespaces.has(item.object.metadata.name)) continue;
    const labels = item.object.metadata?.labels ?? {};
    if (!INJECTION_LABELS.some((l) => labels[l] && labels[l] !== 'disabled')) {
      // istioctl analyze: IST0102 NamespaceNotInjected, an Info.
      report(item, 'metadata.labels', 'namespaces of the mall need istio-injection: enabled (no sidecar, no routing)', 'warning');
    }
  }

  for (const item of ofKind('AuthorizationPolicy')) {
    const selector = item.object.spec?.selector?.matchLabels;
    const namespace = namespaceOf(item.object);
    if (selector && namespace !== ROOT_NAMESPACE && !workloads.some((w) => namespaceOf(w.object) === namespace && matches(w.object.spec?.template?.metadata?.labels, selector))) {
      report(item, 'spec.selector.matchLabels', `selects no workload in namespace ${namespace}`);
    }
  }

  checkGatewayApi(objects, services, report);
  return findings;
}

/** HTTPRoute references: parents and backends must exist; a backend in another namespace needs a ReferenceGrant there. */
function checkGatewayApi(objects: LintedObject[], services: Map<string, any>, report: (item: LintedObject, path: string, message: string) => void): void {
  const grants = objects.filter((o) => o.object.kind === 'ReferenceGrant');
  const gatewayApiGateways = new Set(
    objects.filter((o) => o.object.kind === 'Gateway' && String(o.object.apiVersion).startsWith('gateway.networking.k8s.io')).map((g) => `${namespaceOf(g.object)}/${g.object.metadata.name}`),
  );
  for (const item of objects.filter((o) => o.object.kind === 'HTTPRoute')) {
    const namespace = namespaceOf(item.object);
    (item.object.spec?.parentRefs ?? []).forEach((ref: any, i: number) => {
      const target = `${ref.namespace ?? namespace}/${ref.name}`;
      const isService = ref.kind === 'Service';
      const exists = isService ? services.has(serviceFqdn(ref.name, ref.namespace ?? namespace)) : gatewayApiGateways.has(target);
      if (!exists) report(item, `spec.parentRefs[${i}]`, `no ${isService ? 'Service' : 'Gateway'} ${target} in the linted files`);
    });
    (item.object.spec?.rules ?? []).forEach((rule: any, i: number) => {
      (rule.backendRefs ?? []).forEach((ref: any, j: number) => {
        const path = `spec.rules[${i}].backendRefs[${j}]`;
        const backendNamespace = ref.namespace ?? namespace;
        if (!services.has(serviceFqdn(ref.name, backendNamespace))) return report(item, path, `no Service ${backendNamespace}/${ref.name} in the linted files`);
        if (backendNamespace === namespace) return;
        const granted = grants.some(
          (g) =>
            namespaceOf(g.object) === backendNamespace &&
            g.object.spec?.from?.some((f: any) => f.kind === 'HTTPRoute' && f.namespace === namespace) &&
            g.object.spec?.to?.some((t: any) => t.kind === 'Service' && (t.name === undefined || t.name === ref.name)),
        );
        if (!granted) report(item, path, `Service ${backendNamespace}/${ref.name} is in another namespace and no ReferenceGrant there allows HTTPRoutes from ${namespace}`);
      });
    });
  }
}
