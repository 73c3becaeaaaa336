/** How many shoppers favorited each product id (design.md catalog). */
export const FAVORITES: Readonly<Record<number, number>> = {
  1: 90, 2: 43, 3: 44, 4: 80, 5: 67, 6: 39, 7: 50, 8: 77, 9: 89, 10: 101, 11: 60, 12: 51, 13: 32, 14: 49, 15: 9,
};
