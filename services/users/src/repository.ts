import type { User } from '@mesh-mall/kit';

export type { User };

export interface CreateResult {
  user: User;
  /** false when a user of that name already existed (and is returned unchanged). */
  created: boolean;
}

/** Where users live: MongoDB on a cluster, a file on a laptop. Names are unique. */
export interface UserRepository {
  findByName(name: string): Promise<User | null>;
  create(name: string): Promise<CreateResult>;
  close(): Promise<void>;
}

/** Avatars are drawn by the mall from the name, so no image store is needed. */
export function avatarFor(name: string): string {
  return `/assets/avatars/${name}.svg`;
}
