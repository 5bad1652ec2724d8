"""The GraphQL documents the scenarios send (the raw baseline answers S1 and S2 byte for byte)."""

S1_GROUPS = """
query BuyerRenewalGroups {
  eligibleRenewalGroups {
    key
    currency
    paymentMethod
    estimatedTotal { amount currency }
    subscriptions {
      id
      number
      productName
      term
      seats
      endDate
      renewalWindow { opensOn closesOn isOpen }
      renewalEligibility { eligible reasons }
    }
  }
}
"""

S2_PARTNER_PAGE = """
query PartnerSubscriptions {
  subscriptions(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id
        number
        productName
        seats
        term
        endDate
        autoRenew
        customer { csn name }
        reseller { csn name }
        renewalWindow { opensOn closesOn isOpen }
        openQuote { number status expiresOn total { amount currency } }
      }
    }
  }
}
"""

CREATE_QUOTE = """
mutation CreateQuote($ids: [ID!]!) {
  createRenewalQuote(input: {subscriptionIds: $ids}) {
    quote { id number status }
    userErrors { code field message }
  }
}
"""

CANCEL_QUOTE = """
mutation CancelQuote($id: ID!) {
  cancelQuote(input: {quoteId: $id, reason: "bench"}) {
    quote { id number status }
    userErrors { code message }
  }
}
"""

STATUS_STREAM = """
subscription StatusStream {
  quoteStatusChanged { status previousStatus occurredAt quote { number } }
}
"""

PREVIEW_QUOTE = """
mutation Preview($ids: [ID!]!) {
  previewQuote(input: {renewal: {subscriptionIds: $ids}}) {
    userErrors { code message }
    preview { currency subtotal { amount } total { amount }
              lines { seats term startDate endDate total { amount } subscription { number } } }
  }
}
"""

ORDERS_PAGE = """
query Orders {
  orders(first: 50) {
    totalCount
    nodes { number origin status total { amount } customer { csn }
            lines { seats term subscription { number } } }
  }
}
"""
