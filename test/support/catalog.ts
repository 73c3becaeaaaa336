/**
 * What recommend shows each shopper of the tests (design.md: six of ids 7–15, sorted by score, best first): the six
 * are chosen by a hash of the `end-user` header and the id (services/recommend pickFor), the same in v1, v2 and v3,
 * and equal scores are ordered by id. Exact, so that a mesh that loses `end-user` on the way to recommend, or a
 * recommend that ignores it, shows everyone the guest's six and fails.
 */
export const RECOMMENDED: Readonly<Record<string, readonly number[]>> = {
  '': [7, 13, 9, 15, 8, 11],
  jason: [10, 7, 13, 15, 8, 11],
  fox: [10, 13, 9, 15, 8, 11],
};

/** The ids a shopper (a guest: undefined or '') is recommended. */
export function recommendedFor(user: string | undefined): readonly number[] {
  const ids = RECOMMENDED[user ?? ''];
  if (!ids) throw new Error(`no known recommendations for ${user}: add them to test/support/catalog.ts`);
  return ids;
}
