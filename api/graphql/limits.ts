import type { DocumentNode, GraphQLError as GraphQLErrorType, GraphQLSchema, ValidationContext, ValidationRule } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../../infra/config/env.ts';
import { LIMITS_GQL } from './filters.ts';
import {
  GraphQLError,
  Lexer,
  Source,
  TokenKind,
  getComplexity,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  maxAliasesRule,
  maxDepthRule,
  parse,
} from './graphql-js.ts';

/** What one GraphQL operation may ask for (settings: infra/config/limits.ts). */
export interface GraphqlLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxResponseBytes: number;
}

export function graphqlLimitsFrom(config: Config): GraphqlLimits {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxCost: config.GRAPHQL_MAX_COST,
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    maxResponseBytes: config.GRAPHQL_MAX_RESPONSE_BYTES,
  };
}

export type LimitName = 'depth' | 'aliases' | 'cost' | 'tokens' | 'responseBytes';

/** The one shape of every refusal: which limit, its value, and the query's (at least this much). */
export function limitExceeded(limit: LimitName, max: number, value: number, message: string): GraphQLErrorType {
  const code = limit === 'responseBytes' ? 'RESPONSE_TOO_LARGE' : 'QUERY_TOO_COMPLEX';
  return new GraphQLError(message, { extensions: { code, details: { limit, max, value } } });
}

/** Lists with no `first` whose size the schema bounds in code (resolvers.ts). Others count as one default page. */
const UNPAGED_LIST_SIZE: Readonly<Record<string, number>> = { 'Query.workload': 1000 };

/**
 * Objects a field may resolve: a paged field (one taking `first`) resolves its page size (`first`, clamped to what
 * the resolvers accept, default 20) times what each item selects; a list of objects without `first` counts as a
 * default page (or its known bound); a connection's `edges` is the page already counted; anything else is itself
 * plus what it selects.
 */
function objectsEstimator(schema: GraphQLSchema, introspectionWeight: number): ComplexityEstimator {
  const introspection = introspectionSizes(schema);
  return ({ type, field, args, childComplexity }) => {
    // The schema's own description: its lists are as long as the schema says, whatever data the platform holds, and
    // each of its fields weighs `introspectionWeight` (see introspectionWeightOf).
    if (type.name.startsWith('__') || field.name.startsWith('__'))
      return (introspection.get(`${type.name}.${field.name}`) ?? 1) * (introspectionWeight + childComplexity);
    if (field.args.some((argument) => argument.name === 'first')) {
      const first = typeof args.first === 'number' && args.first >= 1 ? Math.min(args.first, LIMITS_GQL.firstMax) : LIMITS_GQL.firstDefault;
      return first * (1 + childComplexity);
    }
    const returns = getNullableType(field.type);
    if (isListType(returns) && isCompositeType(getNamedType(returns)) && !type.name.endsWith('Connection')) {
      return (UNPAGED_LIST_SIZE[`${type.name}.${field.name}`] ?? LIMITS_GQL.firstDefault) * (1 + childComplexity);
    }
    return 1 + childComplexity;
  };
}

const introspectionWeights = new WeakMap<GraphQLSchema, Map<number, number>>();

/**
 * What one field of introspection weighs: the whole description of the schema (graphql-js's introspection query,
 * what GraphiQL asks on load) costs half the budget, whatever the schema's size. A document that loops through
 * `fields { type { fields ... } }` multiplies as its answer does and is refused after a few turns.
 */
function introspectionWeightOf(schema: GraphQLSchema, maxCost: number): number {
  const known = introspectionWeights.get(schema)?.get(maxCost);
  if (known !== undefined) return known;
  const full = getComplexity({ schema, query: parse(getIntrospectionQuery()), variables: {}, estimators: [objectsEstimator(schema, 1)] });
  const weight = Math.min(1, maxCost / 2 / Math.max(1, full));
  const bySchema = introspectionWeights.get(schema) ?? new Map<number, number>();
  bySchema.set(maxCost, weight);
  introspectionWeights.set(schema, bySchema);
  return weight;
}

const introspectionCache = new WeakMap<GraphQLSchema, ReadonlyMap<string, number>>();

/**
 * How long each introspection list is in this schema, on average where it hangs off a type or a field: a document
 * that walks the schema costs about what its answer holds.
 */
function introspectionSizes(schema: GraphQLSchema): ReadonlyMap<string, number> {
  const cached = introspectionCache.get(schema);
  if (cached) return cached;
  const types = Object.values(schema.getTypeMap());
  let fields = 0;
  let args = 0;
  let inputFields = 0;
  let enumValues = 0;
  let interfaces = 0;
  let possibleTypes = 0;
  for (const type of types) {
    if ('getFields' in type) {
      const own = Object.values(type.getFields());
      if ('getInterfaces' in type) {
        fields += own.length;
        for (const field of own) args += 'args' in field ? field.args.length : 0;
        interfaces += type.getInterfaces().length;
      } else inputFields += own.length;
    }
    if ('getValues' in type) enumValues += type.getValues().length;
    if ('getTypes' in type) possibleTypes += type.getTypes().length;
  }
  const directives = schema.getDirectives();
  const directiveArgs = directives.reduce((sum, directive) => sum + directive.args.length, 0);
  const perType = (count: number) => Math.max(1, Math.ceil(count / types.length));
  const sizes = new Map<string, number>([
    ['__Schema.types', types.length],
    ['__Schema.directives', directives.length],
    ['__Type.fields', perType(fields)],
    ['__Type.inputFields', perType(inputFields)],
    ['__Type.enumValues', perType(enumValues)],
    ['__Type.interfaces', perType(interfaces)],
    ['__Type.possibleTypes', perType(possibleTypes)],
    ['__Field.args', Math.max(1, Math.ceil(args / Math.max(1, fields)))],
    ['__Directive.args', Math.max(1, Math.ceil(directiveArgs / Math.max(1, directives.length)))],
  ]);
  introspectionCache.set(schema, sizes);
  return sizes;
}

/**
 * Depth and aliases, counted on the operation with its fragments expanded (GraphQL Armor): validation rules, so
 * mercurius caches the verdict with the document. Introspection is left out of depth (the schema's own type
 * references nest deeper than any data query, and GraphiQL asks for them on load); its cost, counted on the schema's
 * real sizes, bounds it instead.
 */
export function limitRules(limits: GraphqlLimits): ValidationRule[] {
  const report = (limit: LimitName, max: number, noun: string) => (context: ValidationContext | null, error: GraphQLErrorType) => {
    const found = Number(/found (\d+)/u.exec(error.message)?.[1] ?? max + 1);
    context?.reportError(limitExceeded(limit, max, found, `the query has ${found} ${noun}; at most ${max} are allowed`));
  };
  return [
    maxDepthRule({
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [report('depth', limits.maxDepth, 'levels of fields')],
    }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [report('aliases', limits.maxAliases, 'aliased fields')] }),
  ];
}

/**
 * The estimated objects the operation resolves (graphql-query-complexity, fragments expanded, with the request's
 * variables so `first: $n` counts), refused above `maxCost`. Expanding fragments can itself explode (each of 33
 * chained fragments spreading the next twice is 2^33 fields): the walk stops after `maxCost` selections, which can
 * only belong to a query costing more than that.
 */
export function costError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  limits: GraphqlLimits,
): GraphQLErrorType | undefined {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      estimators: [objectsEstimator(schema, introspectionWeightOf(schema, limits.maxCost))],
      maxQueryNodes: limits.maxCost,
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/u.test(error.message)) {
      return limitExceeded(
        'cost',
        limits.maxCost,
        limits.maxCost + 1,
        `the query expands to more than ${limits.maxCost} fields; at most ${limits.maxCost} objects are allowed (fragments count where they are spread)`,
      );
    }
    throw error;
  }
  if (cost <= limits.maxCost) return undefined;
  return limitExceeded(
    'cost',
    limits.maxCost,
    cost,
    `the query may resolve about ${cost} objects; at most ${limits.maxCost} are allowed (ask for smaller pages)`,
  );
}

/** Tokens of the document, counted up to the limit without building a tree. A syntax error is left to the parser. */
export function tokensError(source: string, limits: GraphqlLimits): GraphQLErrorType | undefined {
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      tokens += 1;
      if (tokens > limits.maxTokens) {
        return limitExceeded('tokens', limits.maxTokens, tokens, `the query has more than ${limits.maxTokens} tokens; at most ${limits.maxTokens} are allowed`);
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Whether `value` as JSON would take more than `max` bytes, walking it only until it does (a lower bound: strings
 * count their UTF-16 length plus quotes, escapes are not counted). Undefined when it fits, else the bytes counted.
 */
export function jsonBytesOver(value: unknown, max: number): number | undefined {
  let bytes = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') bytes += next.length + 3;
    else if (Array.isArray(next)) {
      bytes += 2 + next.length;
      for (const item of next) pending.push(item);
    } else if (typeof next === 'object' && next !== null) {
      for (const [key, item] of Object.entries(next)) {
        bytes += key.length + 4;
        pending.push(item);
      }
      bytes += 2;
    } else bytes += 5;
    if (bytes > max) return bytes;
  }
  return undefined;
}
