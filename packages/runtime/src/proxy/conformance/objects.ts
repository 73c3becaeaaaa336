/** Istio objects several conformance cases share. */

/** A Gateway `shop` in namespace base for istio-ingressgateway's port 80 and the given server hosts (YAML flow list). */
export const shopGateway = (hosts: string) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: base}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ${hosts}}]
`;

/** The shop Gateway for every host. */
export const SHOP_GATEWAY = shopGateway('["*"]');

/** SHOP_GATEWAY and a VirtualService bound to it for every host, with the given http routes (YAML flow list). */
export const shop = (http: string) => `${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: ${http}}
`;
