import { z } from 'zod';

/** A command's schema: its type, and the data that type carries. */
export const commandSchema = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) => z.object({ type: z.literal(type), data });
