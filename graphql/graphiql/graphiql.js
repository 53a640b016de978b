// Starts GraphiQL on the page of GET /graphql. tagflow's own file: the page loads no
// inline script, so its Content-Security-Policy allows scripts from the server only.
(function () {
  'use strict';
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: '{"Authorization": "Bearer "}',
      shouldPersistHeaders: false,
    }));
})();
