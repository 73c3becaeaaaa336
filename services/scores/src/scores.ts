/** Score out of 100 per product id (design.md catalog). */
export const SCORES: Readonly<Record<number, number>> = {
  1: 98, 2: 100, 3: 97, 4: 95, 5: 99, 6: 90, 7: 98, 8: 93, 9: 94, 10: 100, 11: 89, 12: 92, 13: 96, 14: 82, 15: 94,
};
