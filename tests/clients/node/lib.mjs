// Shared by the conformance scripts: inputs, a hard deadline, one JSON line out, and the three
// client stacks users run against `renewals serve`:
//   - graphql-ws's own client (with `ws` as the WebSocket implementation),
//   - Apollo Client 3: HttpLink for queries/mutations, GraphQLWsLink for subscriptions,
//   - urql: fetchExchange for queries/mutations, subscriptionExchange over a graphql-ws client.
// Every script prints exactly one JSON line on stdout and exits 0, or prints the error on
// stderr and exits 1; it never runs longer than RENEWALS_TIMEOUT_MS.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ApolloClient, HttpLink, InMemoryCache, gql, split } from '@apollo/client/core/index.js';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions/index.js';
import { getMainDefinition } from '@apollo/client/utilities/index.js';
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { parse } from 'graphql';

export const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) fail(new Error(`${name} is not set`));
  return value;
};

export const TIMEOUT_MS = Number(process.env.RENEWALS_TIMEOUT_MS ?? 30000);

// stdout and stderr are pipes or files here, which Node writes synchronously: exiting right
// after a write loses nothing, and nothing after succeed() or fail() runs.

/** One JSON line on stdout, then exit 0. */
export function succeed(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** The error on stderr, then exit 1. */
export function fail(error) {
  const text = error instanceof Error ? (error.stack ?? String(error)) : describeError(error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

/** Fails the script after TIMEOUT_MS, saying what it was waiting for. */
export function deadline(describe) {
  setTimeout(() => fail(new Error(`timed out after ${TIMEOUT_MS} ms: ${describe()}`)), TIMEOUT_MS);
}

process.on('unhandledRejection', (reason) => fail(reason));

// Apollo's GraphQLWsLink reads the global WebSocket (WebSocket.CLOSED) to classify a socket
// error that is not a close; Node 20 has none, so without this a refused TCP connect would
// surface as "ReferenceError: WebSocket is not defined" instead of the real error.
globalThis.WebSocket ??= WebSocket;

/** A graphql-ws client on `ws`, recording its lifecycle events. */
export function wsClient({ url, connectionParams, retryAttempts = 0 }) {
  const events = { connected: 0, closed: [] };
  let resolveConnected;
  const connected = new Promise((resolve) => {
    resolveConnected = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts,
    on: {
      connected: () => {
        events.connected += 1;
        resolveConnected();
      },
      closed: (event) => {
        events.closed.push({ code: event?.code, reason: String(event?.reason ?? '') });
      },
    },
  });
  return { client, events, connected };
}

/** Runs one operation on a graphql-ws client and resolves with its single result. */
export function wsExecute(client, query, variables = {}) {
  return new Promise((resolve, reject) => {
    let result;
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result = value;
        },
        error: reject,
        complete: () => resolve(result),
      },
    );
  });
}

/**
 * A uniform face over Apollo and urql: `request` runs a query or mutation over HTTP,
 * `subscribe` runs a subscription over the graphql-ws client, `close` disposes both.
 * Subscription callbacks get `data`; GraphQL or transport errors go to `onError`.
 */
export function library(name, { httpUrl, token, ws }) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  if (name === 'apollo') {
    const link = split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
      },
      new GraphQLWsLink(ws),
      new HttpLink({ uri: httpUrl, headers, fetch }),
    );
    const apollo = new ApolloClient({
      link,
      cache: new InMemoryCache(),
      defaultOptions: {
        query: { fetchPolicy: 'no-cache' },
        mutate: { fetchPolicy: 'no-cache' },
      },
    });
    return {
      async request(source, variables) {
        const document = gql(source);
        const isMutation = getMainDefinition(document).operation === 'mutation';
        const result = isMutation
          ? await apollo.mutate({ mutation: document, variables })
          : await apollo.query({ query: document, variables });
        if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
        return result.data;
      },
      subscribe(source, variables, onData, onError) {
        const subscription = apollo
          .subscribe({ query: gql(source), variables, fetchPolicy: 'no-cache' })
          .subscribe({
            next: ({ data, errors }) =>
              errors?.length ? onError(new Error(JSON.stringify(errors))) : onData(data),
            error: onError,
          });
        return () => subscription.unsubscribe();
      },
      close: async () => {
        apollo.stop();
        await ws.dispose();
      },
    };
  }
  if (name === 'urql') {
    const urql = new Client({
      url: httpUrl,
      fetch,
      fetchOptions: { headers },
      requestPolicy: 'network-only',
      exchanges: [
        fetchExchange,
        subscriptionExchange({
          forwardSubscription(request) {
            const input = { ...request, query: request.query || '' };
            return {
              subscribe(sink) {
                return { unsubscribe: ws.subscribe(input, sink) };
              },
            };
          },
        }),
      ],
    });
    const unwrap = (result) => {
      if (result.error) throw result.error;
      return result.data;
    };
    return {
      async request(source, variables) {
        const document = parse(source);
        const operation = document.definitions[0].operation;
        const run = operation === 'mutation' ? urql.mutation : urql.query;
        return unwrap(await run.call(urql, document, variables).toPromise());
      },
      subscribe(source, variables, onData, onError) {
        const { unsubscribe } = urql.subscription(parse(source), variables).subscribe((result) => {
          if (result.error) onError(result.error);
          else if (result.data) onData(result.data);
        });
        return unsubscribe;
      },
      close: async () => {
        await ws.dispose();
      },
    };
  }
  throw new Error(`unknown client library ${name} (apollo or urql)`);
}

/** A close code in whatever shape a library hands the refusal over (CloseEvent, Error, CombinedError). */
export function closeCodeOf(error) {
  if (error == null) return null;
  if (typeof error.code === 'number') return error.code;
  if (error.networkError) return closeCodeOf(error.networkError);
  const match = /Socket closed with event (\d+)/.exec(error.message ?? '');
  return match ? Number(match[1]) : null;
}

export function describeError(error) {
  if (error == null) return null;
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  if (typeof error.code === 'number') return `CloseEvent ${error.code} ${error.reason ?? ''}`.trim();
  if (error.type === 'error' && error.target) return `WebSocket error event: ${error.message ?? ''}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
