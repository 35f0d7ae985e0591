/** Where GraphQL is served: queries over HTTP POST, subscriptions over the WebSocket on the same path. */
export const GRAPHQL_PATH = '/graphql';
