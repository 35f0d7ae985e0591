import type { z } from 'zod';
import type { DomainEvent } from '../shared/decider.ts';

export type EventData = Record<string, unknown>;

/** Upgrades the data of version `from` to version `from + 1`. Metadata is read-only context (e.g. the principal). */
export type Upcaster = (data: EventData, metadata: Readonly<Record<string, unknown>>) => EventData;

export interface EventDefinition<Type extends string = string, Schema extends z.ZodType = z.ZodType> {
  type: Type;
  /** Current version; written into every event's metadata as `schemaVersion`. */
  schemaVersion: number;
  schema: Schema;
  /** `upcasters[n]` turns version n into n + 1; one entry for each version below the current one. */
  upcasters?: Readonly<Record<number, Upcaster>>;
}

/** The event a definition describes, as decoding yields it: its type and the current version's parsed data. */
export type EventOf<Definition> = Definition extends EventDefinition<infer Type, infer Schema> ? { type: Type; data: z.output<Schema> } : never;

/**
 * The discriminated union of the events a list of definitions describes. Aggregates derive their event type from
 * their definitions with it, so a field renamed in a schema is renamed for every reader.
 */
export type EventUnion<Definitions extends readonly EventDefinition[]> = EventOf<Definitions[number]>;

/** Event schemas by type, for a family of events that all stay at version 1. */
export type SchemaMap = Readonly<Record<string, z.ZodType>>;

/** One version-1 definition per entry of a schema map, each keeping its own type and schema. */
export function version1Definitions<Schemas extends SchemaMap>(
  schemas: Schemas,
): readonly { [Type in keyof Schemas & string]: EventDefinition<Type, Schemas[Type]> }[keyof Schemas & string][] {
  return Object.entries(schemas).map(([type, schema]) => ({ type, schemaVersion: 1, schema })) as never;
}

/** A registry built without a catalog (tests, tools): events of any type, with data it only knows is an object. */
export type UntypedEvent = DomainEvent<string, EventData>;

export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
  constructor(readonly eventType: string) {
    super(`Unknown event type '${eventType}': no schema is registered for it`);
  }
}

export class InvalidEventDataError extends Error {
  override readonly name = 'InvalidEventDataError';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: number,
    readonly issues: readonly { path: readonly PropertyKey[]; message: string }[],
  ) {
    super(
      `Event '${eventType}' (schema v${schemaVersion}) does not match its schema: ` +
        issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; '),
    );
  }
}

/**
 * Every event type the platform writes or reads. Writing validates against the current schema; reading upcasts
 * older versions step by step and validates the result, so evolve() only ever sees current, valid shapes.
 */
export class EventRegistry<Event extends DomainEvent = UntypedEvent> {
  private readonly definitions = new Map<string, EventDefinition>();

  register(...definitions: EventDefinition[]): this {
    for (const definition of definitions) {
      if (this.definitions.has(definition.type)) throw new Error(`event type '${definition.type}' registered twice`);
      for (let version = 1; version < definition.schemaVersion; version += 1) {
        if (!definition.upcasters?.[version]) {
          throw new Error(`event type '${definition.type}' lacks an upcaster from v${version}`);
        }
      }
      this.definitions.set(definition.type, definition);
    }
    return this;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  /** The version this code writes and the newest it reads; undefined for a type it does not know. */
  currentVersion(type: string): number | undefined {
    return this.definitions.get(type)?.schemaVersion;
  }

  /** Validates an event about to be written; returns its data as stored and the version to stamp. */
  encode(type: string, data: unknown): { data: EventData; schemaVersion: number } {
    const definition = this.definition(type);
    const parsed = definition.schema.safeParse(data);
    if (!parsed.success) throw new InvalidEventDataError(type, definition.schemaVersion, parsed.error.issues);
    return { data: parsed.data as EventData, schemaVersion: definition.schemaVersion };
  }

  /**
   * Turns a stored event of any known version into the current shape. The result is the registry's event union: its
   * data was just validated against the schema registered for its type, which is what that union is derived from.
   */
  decode(type: string, data: EventData, metadata: Readonly<Record<string, unknown>>): Event {
    const definition = this.definition(type);
    const stored = typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1;
    if (!Number.isInteger(stored) || stored < 1 || stored > definition.schemaVersion) {
      throw new InvalidEventDataError(type, stored, [
        { path: ['metadata', 'schemaVersion'], message: `unsupported version (current is ${definition.schemaVersion})` },
      ]);
    }
    let upcast = data;
    for (let version = stored; version < definition.schemaVersion; version += 1) {
      const step = definition.upcasters?.[version];
      if (!step) throw new UnknownEventTypeError(`${type}@v${version}`);
      upcast = step(upcast, metadata);
    }
    const parsed = definition.schema.safeParse(upcast);
    if (!parsed.success) throw new InvalidEventDataError(type, stored, parsed.error.issues);
    return { type, data: parsed.data } as Event;
  }

  private definition(type: string): EventDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }
}
