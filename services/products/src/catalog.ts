export interface Product {
  id: number;
  title: string;
  image: string;
  price: number;
  sales: number;
  stock: number;
}

type Row = [id: number, title: string, price: number, sales: number, stock: number];

/** design.md catalog: the CNCF swag of the original tcm-demo. Images are the mall's own SVGs. */
const ROWS: Row[] = [
  [1, 'Stainless Steel Sports Bottle', 8, 502, 2001],
  [2, 'Jaeger Socks', 8, 408, 3002],
  [3, 'The Ladies envoy Short Sleeve Concert Tee', 15, 993, 1903],
  [4, 'Prometheus Full-Zip Hoodie', 35, 981, 1404],
  [5, 'Fluentd Decal', 0.5, 270, 2005],
  [6, "The Men's OpenTracing Short Sleeve Concert Tee", 15, 345, 1000],
  [7, 'linkerd Full-Zip Hoodie', 35, 89, 1007],
  [8, 'The Ladies gRPC Short Sleeve Concert Tee', 15, 44, 1008],
  [9, 'CNI Socks', 8, 290, 1009],
  [10, "The Men's containerd Short Sleeve Concert Tee", 15, 88, 1010],
  [11, 'The Ladies CoreDNS Short Sleeve Concert Tee', 15, 60, 1511],
  [12, 'rkt Decal', 0.5, 51, 1612],
  [13, 'etcd Full-Zip Hoodie', 35, 302, 1713],
  [14, 'Helm Socks', 8, 49, 1814],
  [15, 'Gloss White H2go Force Copper Vacuum Insulated Thermal Bottle', 19, 91, 1015],
];

export const CATALOG: ReadonlyMap<number, Product> = new Map(
  ROWS.map(([id, title, price, sales, stock]) => [id, { id, title, image: `/assets/products/${id}.svg`, price, sales, stock }]),
);
