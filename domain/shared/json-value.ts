import type { z } from 'zod';

/**
 * A value JSON can carry. It is zod's own JSON type, so that domain/ and infra/, which may not import each other, name
 * one type (infra/json-value.ts is the same alias for infra/).
 */
export type JsonValue = z.core.util.JSONType;
export type JsonObject = { [key: string]: JsonValue };
