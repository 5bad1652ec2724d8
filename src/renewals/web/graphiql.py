"""GraphiQL with a helpful first document, and the Authorization header sent on WebSocket too."""

import json
import re

from strawberry.http.ides import get_graphql_ide_html

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
"""

# GraphiQL sends editor headers over HTTP only; a per-call fetcher puts them in connection_init.
FETCHER = """const fetcher = (graphQLParams, opts) => GraphiQL.createFetcher({
        url: fetchURL,
        headers: defaultHeaders,
        subscriptionUrl,
        wsConnectionParams: (opts && opts.headers) || {},
      })(graphQLParams, opts);
      const unusedFetcher = GraphiQL.createFetcher({"""


def graphiql_html() -> str:
    html = get_graphql_ide_html("graphiql")
    html = re.sub(
        r"const EXAMPLE_QUERY = `.*?`;",
        lambda _: f"const EXAMPLE_QUERY = {json.dumps(DEFAULT_DOCUMENT)};",
        html,
        count=1,
        flags=re.S,
    )
    return html.replace("const fetcher = GraphiQL.createFetcher({", FETCHER, 1)
