import { createRequire } from 'node:module';

/**
 * mercurius loads `graphql` as CommonJS. An ESM `import ... from 'graphql'` may resolve to the package's separate
 * ESM build (vitest does), a second copy whose classes the first does not recognise (`GraphQLError`,
 * `GraphQLSchema`: "Cannot use GraphQLSchema from another module or realm"). Every runtime value of graphql-js this
 * API uses comes from here, the copy mercurius uses; types may still be imported from 'graphql' (`import type`).
 */
const require = createRequire(import.meta.url);
const graphql = require('graphql') as typeof import('graphql');

export const { GraphQLError, Kind } = graphql;
