"""GraphiQL at GET /graphql, served entirely from /static/graphiql (no external URL).

The assets are pinned and vendored by `frontend/graphiql` (`npm run vendor`). Subscriptions go
over graphql-ws (graphql-transport-ws) with the Headers editor's JSON as the `connection_init`
payload, which is where the server authenticates a WebSocket; the bearer token stays out of
localStorage unless the user turns "Persist headers" on in GraphiQL's settings.
"""

import json
from pathlib import Path

STATIC_URL = "/static/graphiql"
ASSETS = Path(__file__).parent / "static" / "graphiql"

DEFAULT_DOCUMENT = """# Renewals API. 1) Get a token: renewals token --role buyer --customer 5100000001
# 2) Open "Headers" below and paste: {"Authorization": "Bearer <token>"}
# 3) Run. Every type and field is described in the Docs panel.

query EligibleGroups {
  viewer { role customer { csn name } }
  eligibleRenewalGroups {
    key
    currency
    paymentMethod
    reseller { csn name }
    estimatedTotal { amount currency }
    subscriptions {
      id number productName seats term endDate autoRenew
      renewalWindow { opensOn closesOn isOpen }
      renewalEligibility { eligible reasons }
    }
  }
}

# Then request a quote with the ids of one group:
# mutation { createRenewalQuote(input: {subscriptionIds: ["..."]}) {
#   quote { id number status total { amount currency } } userErrors { code field message } } }
#
# And, in a second tab, watch it (headers are sent in connection_init):
# subscription { quoteStatusChanged { status previousStatus quote { number status } } }
#
# Or review it first: the "PreviewRenewal" tab walks the draft flow, step by step.
"""

# The review step (R04), in the order a person runs it: preview each selection, save it as a
# DRAFT, review it, send it. One tab, run operation by operation (Ctrl-Enter runs the one under
# the cursor; ▶ lists them).
DRAFT_FLOW_DOCUMENT = """# The review step. Put the ids of one group's subscriptions (EligibleGroups, first tab) in
# Variables, and the same Authorization header in Headers. Run the operations in order: the
# cursor in one, then Ctrl-Enter (or ▶ and pick it).

# 1) Price the selection: checked and priced as the quote would be; nothing is written.
#    Run it again after every change of "ids" (a subscription deselected).
mutation PreviewRenewal($ids: [ID!]!) {
  previewQuote(input: {renewal: {subscriptionIds: $ids}}) {
    preview {
      type currency expiresOn
      lines { subscription { number } seats term startDate endDate total { amount currency } }
      promotions { code description discount { amount currency } }
      subtotal { amount currency }
      discountTotal { amount currency }
      total { amount currency }
    }
    userErrors { code field message }
  }
}

# 2) Save it as a DRAFT: priced and numbered, not sent, holding no subscription.
#    Copy the quote's id into "quoteId" in Variables.
mutation SaveDraft($ids: [ID!]!) {
  createRenewalQuote(input: {subscriptionIds: $ids, draft: true}) {
    quote { id number status total { amount currency } lines { subscription { id number } seats } }
    userErrors { code field message }
  }
}

# 3) Review it: recipients besides your buyers, seats per subscription ("changes": fewer seats
#    only), a billing address; re-priced at once, and what is not given stays as it is.
mutation ReviewDraft($quoteId: ID!, $recipients: [RecipientInput!], $changes: [QuoteLineChangeInput!]) {
  updateDraftQuote(input: {quoteId: $quoteId, recipients: $recipients, changes: $changes}) {
    quote { id number status total { amount currency } recipients { email name } }
    userErrors { code field message }
  }
}

# 4) Send it: DRAFT -> FINALIZING -> QUOTED (watch it with quoteStatusChanged in the first tab).
mutation SendDraft($quoteId: ID!) {
  finalizeQuote(input: {quoteId: $quoteId}) {
    quote { id number status }
    userErrors { code field message }
  }
}

# Or delete the draft instead:
# mutation { discardDraftQuote(input: {quoteId: "..."}) { discardedQuoteId userErrors { code message } } }
"""

DRAFT_FLOW_VARIABLES = """{
  "ids": ["<subscription id>", "<another of the same group>"],
  "quoteId": "<the draft's id, from SaveDraft>",
  "recipients": [{"email": "controller@example.com", "name": "Carl Controller"}],
  "changes": null
}
"""

# GraphiQL's tabs on a first visit (afterwards it restores the user's own).
DEFAULT_TABS = [
    {"query": DEFAULT_DOCUMENT},
    {"query": DRAFT_FLOW_DOCUMENT, "variables": DRAFT_FLOW_VARIABLES},
]

# (file, package) in load order; the package's version (VERSIONS.json) busts browser caches.
STYLES = [("graphiql.min.css", "graphiql"), ("plugin-explorer.css", "@graphiql/plugin-explorer")]
SCRIPTS = [
    ("react.production.min.js", "react"),
    ("react-dom.production.min.js", "react-dom"),
    ("graphiql.min.js", "graphiql"),
    ("plugin-explorer.umd.js", "@graphiql/plugin-explorer"),
    ("graphql-ws.min.js", "graphql-ws"),
]

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Renewals API · GraphiQL</title>
<link rel="icon" href="data:,">
__STYLES__
<style>
  body { margin: 0; }
  #graphiql { height: 100vh; }
  .graphiql-explorer-actions select { margin-left: 4px; }
</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
__SCRIPTS__
<script>
(function () {
  "use strict";
  var DEFAULT_DOCUMENT = __DEFAULT_DOCUMENT__;
  var DEFAULT_TABS = __DEFAULT_TABS__;
  var endpoint = new URL("/graphql", window.location.href);
  var httpUrl = endpoint.href;
  endpoint.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
  var wsUrl = endpoint.href;

  // The server authenticates a WebSocket once, at connection_init, with the Headers editor's
  // JSON; so a client is made for the headers in force, and again whenever they change. A
  // replaced client is not disposed: its running subscriptions go on, and being lazy it closes
  // its socket when the last one ends. 4403 (refused) is final for these headers: no retry.
  var current = { key: null, client: null };
  function wsClientFor(headers) {
    var key = JSON.stringify(headers);
    if (current.key !== key) {
      current = {
        key: key,
        client: reportingErrors(
          graphqlWs.createClient({
            url: wsUrl,
            connectionParams: headers,
            lazy: true,
            shouldRetry: function (event) {
              return !(event && event.code === 4403);
            },
          })
        ),
      };
    }
    return current.client;
  }

  // A failed subscription ends as a result with `errors` (shown in the result pane) rather
  // than as a thrown error, which GraphiQL's fetcher would also leave as an unhandled rejection.
  function reportingErrors(client) {
    function describe(error) {
      if (Array.isArray(error)) return error;
      if (error && typeof error.code === "number") {
        var hint = error.code === 4403 ? ' (put {"Authorization": "Bearer <token>"} in Headers)' : "";
        return [{ message: "WebSocket closed: " + error.code + " " + (error.reason || "") + hint }];
      }
      return [{ message: (error && error.message) || "WebSocket error" }];
    }
    return {
      subscribe: function (payload, sink) {
        return client.subscribe(payload, {
          next: function (value) {
            sink.next(value);
          },
          complete: function () {
            sink.complete();
          },
          error: function (error) {
            sink.next({ errors: describe(error) });
            sink.complete();
          },
        });
      },
    };
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    return GraphiQL.createFetcher({ url: httpUrl, wsClient: wsClientFor(headers) })(
      params,
      options
    );
  }

  // Headers (the bearer token) are kept in memory only, unless the user switches
  // "Persist headers" on in the settings dialog (GraphiQL stores that choice; read back here).
  // GraphiQL 3 still leaks them when not persisting: history and favourites store each run's
  // headers, and a tab write debounced before "Off" lands after it. This storage drops headers
  // from every write while not persisting, and from what is stored when the user turns it off.
  var PERSIST = "graphiql:shouldPersistHeaders";
  var HEADERS = "graphiql:headers";
  var WITH_HEADERS = ["graphiql:tabState", "graphiql:queries", "graphiql:favorites"];

  function withoutHeaders(value) {
    try {
      return JSON.stringify(JSON.parse(value), function (key, item) {
        return key === "headers" ? null : item;
      });
    } catch (e) {
      return value;
    }
  }

  // The unstripped writes of the current task only, in case "Persist headers: On" follows.
  var held = {};
  function hold(key, value) {
    held[key] = value;
    Promise.resolve().then(function () {
      held = {};
    });
  }

  function headerSafeStorage(local) {
    function own() {
      return Object.keys(local).filter(function (key) {
        return key.indexOf("graphiql:") === 0;
      });
    }
    return {
      getItem: function (key) {
        return local.getItem(key);
      },
      setItem: function (key, value) {
        if (key === PERSIST) {
          if (value === "true") {
            // Turning it on, GraphiQL first writes the headers and tabs, then this flag.
            Object.keys(held).forEach(function (k) {
              local.setItem(k, held[k]);
            });
          } else {
            local.removeItem(HEADERS);
            WITH_HEADERS.forEach(function (k) {
              if (local.getItem(k)) local.setItem(k, withoutHeaders(local.getItem(k)));
            });
          }
        } else if (local.getItem(PERSIST) !== "true" && (key === HEADERS || WITH_HEADERS.indexOf(key) >= 0)) {
          hold(key, value);
          if (key === HEADERS) return;
          value = withoutHeaders(value);
        }
        local.setItem(key, value);
      },
      removeItem: function (key) {
        local.removeItem(key);
      },
      get length() {
        return own().length;
      },
      clear: function () {
        own().forEach(function (key) {
          local.removeItem(key);
        });
      },
    };
  }

  var storage = null;
  var persistHeaders = false;
  try {
    storage = headerSafeStorage(window.localStorage);
    persistHeaders = window.localStorage.getItem(PERSIST) === "true";
  } catch (e) {}

  var explorer = GraphiQLPluginExplorer.explorerPlugin({ showAttribution: false });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_DOCUMENT,
      defaultTabs: DEFAULT_TABS,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: persistHeaders,
      storage: storage,
      showPersistHeadersSettings: true,
      inputValueDeprecation: true,
      plugins: [explorer],
    })
  );
})();
</script>
</body>
</html>
"""


def _versions() -> dict[str, str]:
    try:
        return json.loads((ASSETS / "VERSIONS.json").read_text())
    except (OSError, ValueError):
        return {}


def _url(file: str, package: str, versions: dict[str, str]) -> str:
    version = versions.get(package)
    return f"{STATIC_URL}/{file}" + (f"?v={version}" if version else "")


def _script_literal(value: object) -> str:
    """A JavaScript literal (JSON) that is safe inside an inline <script>."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def graphiql_html() -> str:
    """The GraphiQL page; every asset it loads is under /static/graphiql on this server."""
    versions = _versions()
    styles = "\n".join(f'<link rel="stylesheet" href="{_url(f, p, versions)}">' for f, p in STYLES)
    scripts = "\n".join(f'<script src="{_url(f, p, versions)}"></script>' for f, p in SCRIPTS)
    return (
        PAGE.replace("__STYLES__", styles)
        .replace("__SCRIPTS__", scripts)
        .replace("__DEFAULT_DOCUMENT__", _script_literal(DEFAULT_DOCUMENT))
        .replace("__DEFAULT_TABS__", _script_literal(DEFAULT_TABS))
    )
