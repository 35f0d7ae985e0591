import { z } from 'zod';

/** A command's schema: its type, and the data that type carries. */
const commandSchema = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) => z.object({ type: z.literal(type), data });

type CommandSchemaOf<DataOf extends Record<string, z.ZodType>> = {
  [Type in keyof DataOf & string]: ReturnType<typeof commandSchema<Type, DataOf[Type]>>;
}[keyof DataOf & string];

/**
 * The schema of an aggregate's commands, from the data each command type carries: one of them, told apart by `type`.
 * Several types may carry the same data (status transitions that need only a reason).
 */
export function commandUnion<const DataOf extends Record<string, z.ZodType>>(dataOf: DataOf) {
  const schemas = Object.entries(dataOf).map(([type, data]) => commandSchema(type, data));
  // Object.entries loses which data goes with which type; the mapped type above restores it.
  return z.discriminatedUnion('type', schemas as unknown as [CommandSchemaOf<DataOf>, ...CommandSchemaOf<DataOf>[]]);
}
