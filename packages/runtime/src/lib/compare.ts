/** Orders strings by UTF-16 code units, as Go's and Istio's sort.Strings do (not by locale). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
