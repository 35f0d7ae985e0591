import { z } from 'zod';
import { policyAggregate } from '../../commands/handlers/policy.ts';
import { governedAggregates, type GovernedAggregate } from '../../commands/known-actions.ts';
import { zodIssues } from './problems.ts';

/** A command type the pipeline knows: the schema of its payload, and which action it is decided as. */
interface CommandShape {
  type: string;
  /** The aggregate it belongs to, which the pipeline names as the resource's type. */
  aggregate: string;
  data: z.ZodObject | null;
  /** The action, from the command as parsed; null when it cannot be told from a partial payload. */
  actionOf(data: unknown): string | null;
}

export interface StatedCommand {
  type?: string | undefined;
  data?: unknown;
}

export type CompletedCommand =
  | { ok: true; command: { type: string; data: unknown }; resourceType: string | null }
  | { ok: false; issues: Array<{ path: Array<string | number>; message: string }> };

let shapes: ReadonlyMap<string, CommandShape> | undefined;
let typesByAction: ReadonlyMap<string, readonly string[]> | undefined;

/** Every command type of every governed aggregate, read from the aggregates' own schemas. */
function commandShapes(): ReadonlyMap<string, CommandShape> {
  if (shapes !== undefined) return shapes;
  const found = new Map<string, CommandShape>();
  // Policy commands are not in governedAggregates (their handler needs that list); their aggregate is added here.
  const aggregates: readonly GovernedAggregate[] = [...governedAggregates, policyAggregate];
  for (const aggregate of aggregates) {
    const schema = aggregate.commandSchema;
    if (!(schema instanceof z.ZodDiscriminatedUnion)) continue;
    for (const option of schema.options) {
      if (!(option instanceof z.ZodObject)) continue;
      const { type, data } = option.shape;
      if (!(type instanceof z.ZodLiteral)) continue;
      for (const name of type.values) {
        if (typeof name !== 'string') continue;
        found.set(name, {
          type: name,
          aggregate: aggregate.name,
          data: data instanceof z.ZodObject ? data : null,
          actionOf: (payload) => {
            try {
              return aggregate.actionOf({ type: name, data: payload });
            } catch {
              return null;
            }
          },
        });
      }
    }
  }
  shapes = found;
  return found;
}

/** The command types decided as `action` (most actions are one command; reads are none). */
export function commandTypesOf(action: string): readonly string[] {
  if (typesByAction === undefined) {
    const index = new Map<string, string[]>();
    for (const shape of commandShapes().values()) {
      const decidedAs = shape.actionOf(defaultsOf(shape) ?? {});
      if (decidedAs === null) continue;
      index.set(decidedAs, [...(index.get(decidedAs) ?? []), shape.type]);
    }
    typesByAction = index;
  }
  return typesByAction.get(action) ?? [];
}

/**
 * The command as the pipeline would hand it to the policy: conditions see the payload after the command's schema
 * has filled its defaults (a GrantRole without `expiresAt` has `expiresAt: null`), so a case must too, or a condition
 * reading such a field would fail to evaluate here and not on the platform.
 *
 * - no type: the action's command type when it has exactly one (reads have none: their `type` stays "");
 * - a known type: the payload is checked field by field against the command's schema (fields a case leaves out are
 *   fine: it states only what its rules read; a misspelled or malformed field is not) and its defaults filled in;
 *   the type must be one the action is decided for; a payload with an `orgId` field gets the request's org when it
 *   leaves it out (the pipeline decides a command in the org its payload names, so the two are always the same);
 * - another type: only for actions that are not commands (reads name themselves, e.g. ReadOrg).
 */
export function completeCommand(action: string, stated: StatedCommand | undefined, orgId: string): CompletedCommand {
  const candidates = commandTypesOf(action);
  const data = stated?.data ?? {};
  let type = stated?.type;
  if (type === undefined) {
    if (candidates.length === 0) return { ok: true, command: { type: '', data }, resourceType: null };
    if (candidates.length > 1)
      return { ok: false, issues: [{ path: ['command', 'type'], message: `${action} is decided for ${candidates.join(' and ')}: name the command type` }] };
    type = candidates[0] as string;
  }
  const shape = commandShapes().get(type);
  if (shape === undefined) {
    if (candidates.length === 0) return { ok: true, command: { type, data }, resourceType: null };
    return {
      ok: false,
      issues: [{ path: ['command', 'type'], message: `unknown command type '${type}': ${action} is decided for ${candidates.join(' and ')}` }],
    };
  }
  const parsed = parsePartial(shape, withOrg(shape, data, orgId));
  if (!parsed.ok) return parsed;
  const decidedAs = shape.actionOf(parsed.data);
  if (decidedAs !== null && decidedAs !== action && candidates.length > 0) {
    return {
      ok: false,
      issues: [
        { path: ['command', 'type'], message: `${type} is decided as ${decidedAs}, not ${action} (${action} is decided for ${candidates.join(' and ')})` },
      ],
    };
  }
  return { ok: true, command: { type, data: parsed.data }, resourceType: shape.aggregate };
}

function parsePartial(
  shape: CommandShape,
  data: unknown,
): { ok: true; data: unknown } | { ok: false; issues: Array<{ path: Array<string | number>; message: string }> } {
  const schema = partialOf(shape);
  if (schema === null) return { ok: true, data };
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, issues: zodIssues(parsed.error).map((issue) => ({ path: ['command', 'data', ...issue.path], message: issue.message })) };
}

/** The payload schema with every field optional (defaults still apply); null when it has none to apply. */
function partialOf(shape: CommandShape): z.ZodType | null {
  if (shape.data === null) return null;
  try {
    return shape.data.partial();
  } catch {
    // An object schema with refinements cannot be made partial: its payload is then taken as stated.
    return null;
  }
}

function withOrg(shape: CommandShape, data: unknown, orgId: string): unknown {
  if (shape.data === null || !('orgId' in shape.data.shape)) return data;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || 'orgId' in data) return data;
  return { orgId, ...data };
}

function defaultsOf(shape: CommandShape): unknown {
  const schema = partialOf(shape);
  if (schema === null) return null;
  const parsed = schema.safeParse({});
  return parsed.success ? parsed.data : null;
}
