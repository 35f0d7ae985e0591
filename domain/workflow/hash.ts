import { canonicalHash } from '../shared/canonical-json.ts';
import type { WorkflowDefinition } from './definition.ts';

/**
 * SHA-256 (lowercase hex) of the canonical JSON of a normalized definition: key order does not matter, defaults
 * written out or left to apply give the same hash, so re-publishing the same definition is recognized.
 */
export function hashWorkflowDefinition(definition: WorkflowDefinition): string {
  return canonicalHash(definition);
}
