// The quote flow as a frontend runs it, with Apollo Client 3 or urql:
//   1. subscribe to quoteStatusChanged (no argument) BEFORE anything happens,
//   2. createRenewalQuote over HTTP,
//   3. subscribe with quoteId AFTER the mutation (the first event is the current state),
//   4. acceptQuote(input: {quoteId}) as soon as the quote is QUOTED,
//   5. collect both subscriptions' statuses until ORDERED.
//
// usage: node flow.mjs apollo|urql
// env:   RENEWALS_GRAPHQL_URL, RENEWALS_WS_URL, RENEWALS_TOKEN (a buyer's),
//        RENEWALS_SUBSCRIPTION_IDS (JSON array of Subscription IDs), RENEWALS_TIMEOUT_MS
// out:   {"client", "quote": {id, number, status}, "first": [...], "second": [...], "accept": ...}
import { deadline, env, fail, library, succeed, wsClient, wsExecute } from './lib.mjs';

const EVENT = `status previousStatus occurredAt quote { id number status }`;
const ALL = `subscription { quoteStatusChanged { ${EVENT} } }`;
const ONE = `subscription ($quoteId: ID!) { quoteStatusChanged(quoteId: $quoteId) { ${EVENT} } }`;
const CREATE = `mutation ($ids: [ID!]!) {
  createRenewalQuote(input: {subscriptionIds: $ids}) {
    quote { id number status } userErrors { code field message } } }`;
const ACCEPT = `mutation ($quoteId: ID!) {
  acceptQuote(input: {quoteId: $quoteId}) {
    quote { number status } order { number } userErrors { code message } } }`;

const name = process.argv[2];
const token = env('RENEWALS_TOKEN');
const ids = JSON.parse(env('RENEWALS_SUBSCRIPTION_IDS'));
const ws = wsClient({
  url: env('RENEWALS_WS_URL'),
  connectionParams: { Authorization: `Bearer ${token}` },
});
const client = library(name, { httpUrl: env('RENEWALS_GRAPHQL_URL'), token, ws: ws.client });

const first = []; // every event the argument-less subscription saw, for any quote
const second = []; // the quoteId subscription's events
let quote = null;
let accept = null;
let stage = 'subscribing';
deadline(() => `${stage}; first=${JSON.stringify(first)} second=${JSON.stringify(second)}`);

const event = ({ quoteStatusChanged: e }) => ({
  number: e.quote.number,
  status: e.status,
  previousStatus: e.previousStatus,
  occurredAt: e.occurredAt,
  quoteStatus: e.quote.status,
});
const ordered = (events) => events.some((e) => e.number === quote?.number && e.status === 'ORDERED');

let finish;
const done = new Promise((resolve, reject) => {
  finish = { resolve, reject };
});
const check = () => {
  if (quote && accept?.quote && ordered(first) && ordered(second)) finish.resolve();
};

const unsubscribeFirst = client.subscribe(
  ALL,
  {},
  (data) => {
    first.push(event(data));
    check();
  },
  finish.reject,
);

// The socket answers in order: once a query sent after the subscription has its result, the
// subscription is running on the server (graphql-transport-ws has no "subscribed" message).
await Promise.race([ws.connected, done]).catch(fail);
await new Promise((resolve) => setImmediate(resolve));
stage = 'barrier query over the socket';
const barrier = await wsExecute(ws.client, '{ viewer { role customer { csn } } }');
if (barrier?.errors?.length) throw new Error(`barrier query: ${JSON.stringify(barrier.errors)}`);

stage = 'createRenewalQuote';
const created = (await client.request(CREATE, { ids })).createRenewalQuote;
if (created.userErrors.length) throw new Error(`createRenewalQuote: ${JSON.stringify(created.userErrors)}`);
quote = created.quote;

stage = 'waiting for QUOTED on the quoteId subscription';
const unsubscribeSecond = client.subscribe(
  ONE,
  { quoteId: quote.id },
  async (data) => {
    const e = event(data);
    second.push(e);
    if (e.status === 'QUOTED' && accept === null) {
      accept = 'pending';
      stage = 'acceptQuote';
      try {
        accept = (await client.request(ACCEPT, { quoteId: quote.id })).acceptQuote;
        if (accept.userErrors.length) throw new Error(`acceptQuote: ${JSON.stringify(accept.userErrors)}`);
        stage = 'waiting for ORDERED on both subscriptions';
        check();
      } catch (error) {
        finish.reject(error);
      }
    }
    check();
  },
  finish.reject,
);

await done.catch(fail);
unsubscribeFirst();
unsubscribeSecond();
const closed = ws.events.closed;
await client.close();
succeed({
  client: name,
  quote,
  accept,
  barrier: barrier.data,
  first: first.filter((e) => e.number === quote.number),
  otherQuotes: first.filter((e) => e.number !== quote.number).length,
  second,
  connected: ws.events.connected,
  closedBeforeEnd: closed,
});
