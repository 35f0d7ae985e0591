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
