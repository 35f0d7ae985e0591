/* global React, ReactDOM, GraphiQL */
// Runs in the browser, after the React, ReactDOM and GraphiQL bundles this server serves from its own installed
// packages (the page's Content-Security-Policy allows scripts from this origin only).

(function renderGraphiql() {
  // Relative to the page, so a reverse proxy that mounts the server under a prefix keeps working.
  const endpoint = new URL('graphql', window.location.href);
  const subscriptions = new URL(endpoint.href);
  subscriptions.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  // GraphiQL sends the Headers tab with every HTTP query and as the connection_init payload of subscriptions,
  // which is where the server reads the key of a WebSocket (browsers cannot set headers on an upgrade).
  const fetcher = GraphiQL.createFetcher({ url: endpoint.href, subscriptionUrl: subscriptions.href });

  // GraphiQL keeps its tabs and history, which records each query's headers (the API key), in the tab's
  // sessionStorage rather than localStorage: closing the tab forgets the key, as it should on a shared machine.
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      storage: window.sessionStorage,
      defaultHeaders: '{\n  "Authorization": "Bearer <your API key>"\n}',
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
