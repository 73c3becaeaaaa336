/** One running replica of a workload, as the mesh sees it. */
export interface Pod {
  name: string;
  namespace: string;
  /** The Deployment (or StatefulSet) it belongs to. */
  workload: string;
  labels: Record<string, string>;
  serviceAccount: string;
  /** Where the pod's process listens; set once it has reported its port. */
  port?: number;
  ready: boolean;
}

/** Who is calling: the workload whose proxy received the request (a pod's, or the ingress gateway's). */
export interface SourceIdentity {
  /** The pod's name; unset for the ingress gateway, which the runtime runs as one proxy. */
  name?: string;
  namespace: string;
  workload: string;
  labels: Record<string, string>;
  serviceAccount: string;
}

/** The SPIFFE-style principal Istio gives a workload's mTLS identity (trust domain `cluster.local`). */
export function principalOf(source: SourceIdentity): string {
  return `cluster.local/ns/${source.namespace}/sa/${source.serviceAccount}`;
}
