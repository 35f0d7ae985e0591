import type { z } from 'zod';

/**
 * A value JSON can carry. It is zod's own JSON type, so that infra/ and domain/, which may not import each other, name
 * one type (domain/shared/json-value.ts is the same alias for domain/ and the layers above).
 */
export type JsonValue = z.core.util.JSONType;
export type JsonObject = { [key: string]: JsonValue };
