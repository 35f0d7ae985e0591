import { z } from 'zod';

/**
 * Who acts. Always derived on the server from a credential (or the platform itself for `system`), never read from a
 * request header or body.
 */
export const principalSchema = z.object({
  id: z.string().min(1).max(200),
  kind: z.enum(['admin', 'subject', 'system']),
});
export type Principal = z.infer<typeof principalSchema>;

export const systemPrincipal: Principal = { id: 'system', kind: 'system' };

/** Platform admins and the platform's own processes act for the platform (and so for any org that lets them). */
export const actsForThePlatform = (principal: Principal): boolean => principal.kind === 'admin' || principal.kind === 'system';

/** Whether the principal is that subject itself. */
export const isSubject = (principal: Principal, subjectId: string): boolean => principal.kind === 'subject' && principal.id === subjectId;
