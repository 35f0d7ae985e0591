import { defineProjection } from '../projection.ts';
import { amend, json, writeDocument } from '../read-model-writes.ts';
import { scopedId } from './roster.ts';
import type { EventDataOf, Stored } from './stored.ts';
import { asc } from './index-fields.ts';

export const POLICY_VERSIONS = 'policy_versions';

/** A policy version's document: the draft, its status and when it was drafted and published. */
export type PolicyVersionDocument = Stored<
  EventDataOf<'PolicyDrafted'> & { status: 'draft' | 'published' | 'superseded'; draftedAt: string; publishedAt: string | null }
>;

/** One document per drafted policy version, with its status: draft, published (the one in force) or superseded. */
export const policiesProjection = defineProjection({
  name: 'policies',
  version: 1,
  eventTypes: ['PolicyDrafted', 'PolicyPublished'],
  collections: [POLICY_VERSIONS],
  async setup({ docs }) {
    await docs.ensureIndex(POLICY_VERSIONS, { name: 'policy_versions_org', fields: [asc('orgId'), asc('version')] });
  },
  async apply(event, { docs }) {
    const at = String(event.metadata.occurredAt);
    const { orgId } = event.data;
    if (event.type === 'PolicyDrafted') {
      await writeDocument(docs, POLICY_VERSIONS, scopedId(orgId, String(event.data.version)), event.position, () => ({
        ...(json(event.data) as Record<string, never>),
        status: 'draft',
        draftedAt: at,
        publishedAt: null,
      }));
      return;
    }
    if (event.data.supersedes !== null) {
      await writeDocument(docs, POLICY_VERSIONS, scopedId(orgId, String(event.data.supersedes)), event.position, amend({ status: 'superseded' }));
    }
    await writeDocument(docs, POLICY_VERSIONS, scopedId(orgId, String(event.data.version)), event.position, amend({ status: 'published', publishedAt: at }));
  },
});
