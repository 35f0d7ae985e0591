import type { Principal } from '../shared/principal.ts';

export type SubjectKind = 'agent' | 'human' | 'service';
export type SubjectStatus = 'active' | 'suspended';

export interface CapabilityVerification {
  /** The verifying principal's id. */
  by: string;
  /** The org in whose name it verified. */
  orgId: string;
  /** ISO-8601 instant of the decision. */
  at: string;
}

export interface Capability {
  level: number;
  evidence: string | null;
  /** The latest verification; null until verified, and again after the claim is re-declared. */
  verified: CapabilityVerification | null;
  /**
   * Verifications by org id: a verification vouches for the claim in the name of one org, and counts only there
   * (a subject could otherwise found an org just to vouch for a friend everywhere).
   */
  verifiedIn: Record<string, CapabilityVerification>;
}

export interface Subject {
  subjectId: string;
  kind: SubjectKind;
  displayName: string;
  description: string;
  endpoint: string | null;
  status: SubjectStatus;
  /** Why the subject is suspended; null while active. */
  statusReason: string | null;
  /**
   * Declared capabilities by name. Names are user input: look one up with `declaredCapability()` (or `Object.hasOwn`),
   * never with a bare index, or a name such as `constructor` would find Object.prototype's.
   */
  capabilities: Record<string, Capability>;
  registeredBy: Principal;
}

/** `null` until the subject is registered. */
export type SubjectState = Subject | null;

export const initialSubjectState: SubjectState = null;
