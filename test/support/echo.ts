/**
 * An echo Deployment (services/echo) in `namespace`, as YAML; `container` is more of the container's fields, each line
 * indented as a field of `- name: echo`.
 */
export function echoDeployment(namespace: string, replicas: number, container: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: echo-v1, namespace: ${namespace}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: echo, version: v1}}
  template:
    metadata: {labels: {app: echo, version: v1}}
    spec:
      containers:
        - name: echo
          image: mesh-mall/echo:v1
${container}`;
}
