import { createRequire } from 'node:module';

/**
 * mercurius loads `graphql` as CommonJS. An ESM `import ... from 'graphql'` may resolve to the package's separate
 * ESM build (vitest does), a second copy whose classes the first does not recognise (`GraphQLError`,
 * `GraphQLSchema`: "Cannot use GraphQLSchema from another module or realm"). Every runtime value of graphql-js this
 * API uses comes from here, the copy mercurius uses; types may still be imported from 'graphql' (`import type`).
 * The libraries that walk our schema (query complexity, GraphQL Armor) are loaded the same way, so their
 * `instanceof GraphQLObjectType` checks see the same classes.
 */
const require = createRequire(import.meta.url);
const graphql = require('graphql') as typeof import('graphql');
const complexity = require('graphql-query-complexity') as typeof import('graphql-query-complexity');
const maxDepth = require('@escape.tech/graphql-armor-max-depth') as typeof import('@escape.tech/graphql-armor-max-depth');
const maxAliases = require('@escape.tech/graphql-armor-max-aliases') as typeof import('@escape.tech/graphql-armor-max-aliases');

export const {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isListType,
  parse,
  specifiedRules,
  validate,
} = graphql;
export const { getComplexity } = complexity;
export const { maxDepthRule } = maxDepth;
export const { maxAliasesRule } = maxAliases;
