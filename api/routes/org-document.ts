import type { FastifyReply } from 'fastify';
import type { AppError } from '../../domain/shared/app-error.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import type { Platform } from '../platform.ts';

/** One document of an org's read model, as a route answers it with its stream revision for ETag. */
export interface OrgDocumentRead<View extends { revision: number }> {
  collection: string;
  id: string;
  orgId: string;
  view(document: JsonDocument): View;
  notFound(): AppError;
}

/**
 * The document's view, its revision set as the ETag (what the commands on it take as If-Match); `notFound` when the
 * org has no such document: another org's is as absent, so an id tells nothing about the org that holds it.
 */
export async function orgDocumentReply<View extends { revision: number }>(
  platform: Platform,
  reply: FastifyReply,
  read: OrgDocumentRead<View>,
): Promise<View | AppError> {
  const document = await platform.docs.get(read.collection, read.id);
  if (!document || document.orgId !== read.orgId) return read.notFound();
  const view = read.view(document);
  reply.header('etag', `"${view.revision}"`);
  return view;
}
