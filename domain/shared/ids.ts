import { z } from 'zod';

/** UUIDs name streams, so one id must have one spelling: accepted in any case, kept in lower case. */
export const uuidSchema = z.uuid().transform((value) => value.toLowerCase());
