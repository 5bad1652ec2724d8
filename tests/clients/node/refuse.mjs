// A WebSocket connect without a valid token is refused, as each client library reports it.
// For graphql-ws's own client, Apollo (GraphQLWsLink) and urql (subscriptionExchange), with no
// token and with bad ones, it runs a subscription and records the close code seen through
// graphql-ws's `on: {closed}` and the one carried by the error the library hands the app.
// With RENEWALS_TOKEN set it also runs one control: a valid token under a lower-case
// `authorization` key is accepted (the key is matched case-insensitively).
//
// usage: node refuse.mjs
// env:   RENEWALS_GRAPHQL_URL, RENEWALS_WS_URL, RENEWALS_TOKEN (optional),
//        RENEWALS_BAD_TOKENS (optional), RENEWALS_TIMEOUT_MS
// out:   {"cases": [{client, auth, connected, closed: [{code, reason}], errorCode, error, data}],
//         "control": {...} | null}
import {
  closeCodeOf,
  deadline,
  describeError,
  env,
  library,
  succeed,
  wsClient,
  wsExecute,
} from './lib.mjs';

const SUBSCRIPTION = 'subscription { quoteStatusChanged { status quote { number } } }';
const wsUrl = env('RENEWALS_WS_URL');
const httpUrl = env('RENEWALS_GRAPHQL_URL');
const token = process.env.RENEWALS_TOKEN;
// connection_init payloads to refuse: none, a malformed token, and RENEWALS_BAD_TOKENS
// ({"name": "<jwt>"}, e.g. forged with another key, expired) each as `Bearer <jwt>`.
const AUTH = {
  none: {},
  malformed: { Authorization: 'Bearer not-a-valid-token' },
  ...Object.fromEntries(
    Object.entries(JSON.parse(process.env.RENEWALS_BAD_TOKENS ?? '{}')).map(([name, jwt]) => [
      name,
      { Authorization: `Bearer ${jwt}` },
    ]),
  ),
};

let stage = 'starting';
deadline(() => stage);

/** Subscribes through one client stack and resolves once it reports an error or a result. */
function attempt(clientName, auth) {
  const ws = wsClient({ url: wsUrl, connectionParams: AUTH[auth] });
  const outcome = new Promise((resolve) => {
    const report = (error, data = null) => resolve({ error, data });
    if (clientName === 'graphql-ws') {
      ws.client.subscribe(
        { query: SUBSCRIPTION },
        { next: (value) => report(null, value), error: (error) => report(error), complete: () => report(null) },
      );
    } else {
      library(clientName, { httpUrl, ws: ws.client }).subscribe(
        SUBSCRIPTION,
        {},
        (data) => report(null, data),
        (error) => report(error),
      );
    }
  });
  return outcome.then(async ({ error, data }) => {
    // graphql-ws emits `closed` before it hands the error on; give a late one a turn anyway.
    await new Promise((resolve) => setImmediate(resolve));
    await ws.client.dispose();
    return {
      client: clientName,
      auth,
      connected: ws.events.connected,
      closed: ws.events.closed,
      errorCode: closeCodeOf(error),
      error: describeError(error),
      data,
    };
  });
}

const cases = [];
for (const clientName of ['graphql-ws', 'apollo', 'urql']) {
  for (const auth of Object.keys(AUTH)) {
    stage = `${clientName} with ${auth} token`;
    cases.push(await attempt(clientName, auth));
  }
}

let control = null;
if (token) {
  stage = 'control: valid token under a lower-case key';
  const ws = wsClient({ url: wsUrl, connectionParams: { authorization: `Bearer ${token}` } });
  const result = await wsExecute(ws.client, '{ viewer { role } }');
  control = { connected: ws.events.connected, result };
  await ws.client.dispose();
}

succeed({ cases, control });
