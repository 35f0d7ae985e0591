import type { PolicyRule } from './types.ts';

export interface PolicyVersion {
  version: number;
  description: string;
  rules: readonly PolicyRule[];
  hash: string;
  status: 'draft' | 'published' | 'superseded';
}

/** An org's policy sets: every version ever drafted (immutable once drafted) and the one in force. */
export interface PolicyState {
  versions: ReadonlyMap<number, PolicyVersion>;
  published: number | null;
}

export const initialPolicyState: PolicyState = { versions: new Map(), published: null };

export function publishedPolicy(state: PolicyState): PolicyVersion | null {
  return state.published === null ? null : (state.versions.get(state.published) ?? null);
}
