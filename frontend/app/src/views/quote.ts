// One quote, live: quoteStatusChanged(quoteId) over graphql-ws sends the quote's current state
// first, then every change (FINALIZING -> QUOTED -> ORDER_SUBMITTED -> ORDERED). "Accept and buy"
// calls acceptQuote and is enabled only while the quote is QUOTED.

import { failure, link, type Ctx } from '../context'
import { dateTime, fill, h, label, money, newIdempotencyKey, userErrorList, type UserError } from '../dom'
import { graphql } from '../gql'
import type { QuoteDetailFragment, WatchQuoteSubscription } from '../gql/graphql'

export const QUOTE_DETAIL = graphql(`
  fragment QuoteDetail on Quote {
    id
    number
    status
    origin
    expiresOn
    customer {
      name
      csn
    }
    lines {
      subscription {
        id
        number
        productName
      }
      seats
      term
      startDate
      endDate
      unitPrice {
        amount
        currency
      }
      subtotal {
        amount
        currency
      }
      discount {
        amount
        currency
      }
      total {
        amount
        currency
      }
    }
    promotions {
      code
      description
      discount {
        amount
        currency
      }
    }
    subtotal {
      amount
      currency
    }
    discountTotal {
      amount
      currency
    }
    total {
      amount
      currency
    }
    statusHistory {
      status
      occurredAt
      actor
      reason
    }
    order {
      number
      paymentReference
    }
    failureReason
  }
`)

const QUOTE_BY_NUMBER = graphql(`
  query QuoteByNumber($number: String!) {
    quote(number: $number) {
      ...QuoteDetail
    }
  }
`)

const WATCH_QUOTE = graphql(`
  subscription WatchQuote($id: ID!) {
    quoteStatusChanged(quoteId: $id) {
      status
      previousStatus
      occurredAt
      quote {
        ...QuoteDetail
      }
    }
  }
`)

const ACCEPT_QUOTE = graphql(`
  mutation AcceptQuote($input: AcceptQuoteInput!) {
    acceptQuote(input: $input) {
      quote {
        ...QuoteDetail
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`)

type Quote = QuoteDetailFragment

const WHAT_NOW: Record<Quote['status'], string> = {
  DRAFT: 'Draft: not sent yet; review it, then send it.',
  FINALIZING: 'Being priced and sent to your recipients…',
  QUOTED: 'Open: you can buy it until it expires.',
  ORDER_SUBMITTED: 'Accepted: your order is being fulfilled…',
  ORDERED: 'Done: the subscriptions renew for one more term.',
  EXPIRED: 'Expired: it can no longer be bought.',
  CANCELLED: 'Cancelled.',
  FAILED: 'Failed.',
}

export function quoteView(ctx: Ctx, number: string, handoff?: Quote): HTMLElement {
  const section = h('section', { testid: 'quote-view' }, h('p', { class: 'muted' }, `Loading quote ${number}…`))
  let quote: Quote | null = handoff ?? null
  let live: 'connecting' | 'live' | 'lost' = 'connecting'
  /** What arrived over the socket: the current state first, then every change. */
  const events: Omit<WatchQuoteSubscription['quoteStatusChanged'], 'quote'>[] = []
  let errors: readonly UserError[] = []
  let problem: unknown = null
  let accepting = false
  let left = false
  let stop = () => {}
  ctx.onLeave(() => {
    left = true
    stop()
  })

  /** Events and mutation answers can cross: a later state (longer history) is never replaced by an earlier one. */
  function show(next: Quote): void {
    if (!quote || quote.id !== next.id || next.statusHistory.length >= quote.statusHistory.length) quote = next
    render()
  }

  async function accept(): Promise<void> {
    if (!quote) return
    accepting = true
    errors = []
    problem = null
    render()
    try {
      const { acceptQuote } = await ctx.api.mutate(ACCEPT_QUOTE, {
        input: { quoteId: quote.id, idempotencyKey: newIdempotencyKey() },
      })
      errors = acceptQuote.userErrors
      if (acceptQuote.quote) show(acceptQuote.quote)
    } catch (error) {
      problem = error
    } finally {
      accepting = false
      render()
    }
  }

  function render(): void {
    if (!quote) return
    const q = quote
    fill(
      section,
      h('p', {}, link(ctx, ctx.viewer.role === 'BUYER' ? '/app/quotes' : '/app/', {}, '← All quotes')),
      h(
        'div',
        { class: 'card-head' },
        h('h1', {}, 'Quote ', h('span', { testid: 'quote-number' }, q.number)),
        h('span', { class: `status status-${q.status}`, testid: 'quote-status' }, q.status),
      ),
      h(
        'p',
        {},
        h('span', { testid: 'quote-what-now' }, WHAT_NOW[q.status]),
        ' ',
        h(
          'span',
          { class: `live live-${live}`, testid: 'live-state' },
          live === 'live' ? '● live' : live === 'lost' ? 'live updates lost' : 'connecting…',
        ),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Customer'),
        h('dd', {}, `${q.customer.name} (${q.customer.csn})`),
        h('dt', {}, 'Expires on'),
        h('dd', { testid: 'quote-expires' }, q.expiresOn),
        h('dt', {}, 'Origin'),
        h('dd', {}, label(q.origin)),
        q.order
          ? [
              h('dt', {}, 'Order'),
              h(
                'dd',
                { testid: 'order-number' },
                q.order.number,
                q.order.paymentReference ? ` (payment ${q.order.paymentReference})` : '',
              ),
            ]
          : null,
        q.failureReason ? [h('dt', {}, 'Why it failed'), h('dd', {}, q.failureReason)] : null,
      ),
      q.status === 'FINALIZING'
        ? h('p', { class: 'muted small' }, 'Prices are provisional until the quote is QUOTED.')
        : null,
      linesTable(q),
      promotionsList(q),
      h(
        'dl',
        { class: 'totals' },
        h('dt', {}, 'Subtotal'),
        h('dd', { testid: 'quote-subtotal' }, money(q.subtotal)),
        h('dt', {}, 'Discounts'),
        h('dd', { testid: 'quote-discount' }, money(q.discountTotal)),
        h('dt', {}, 'Total'),
        h('dd', { testid: 'quote-total' }, h('strong', {}, money(q.total))),
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            testid: 'accept-quote',
            disabled: q.status !== 'QUOTED' || accepting,
            onclick: () => void accept(),
          },
          accepting ? 'Accepting…' : 'Accept and buy',
        ),
      ),
      userErrorList(errors),
      problem ? failure(problem) : null,
      h('h2', {}, 'Status history'),
      h(
        'ol',
        { class: 'history', testid: 'status-history' },
        q.statusHistory.map((change) =>
          h(
            'li',
            { testid: 'status-history-item', 'data-status': change.status },
            h('strong', {}, change.status),
            ` ${dateTime(change.occurredAt)} · ${change.actor}`,
            change.reason ? ` · ${change.reason}` : '',
          ),
        ),
      ),
      h('h2', {}, 'Received live'),
      h(
        'p',
        { class: 'muted small' },
        'The events of ',
        h('code', {}, 'quoteStatusChanged(quoteId)'),
        ' on this page, over graphql-ws: the current state first, then every change.',
      ),
      h(
        'ol',
        { class: 'history small', testid: 'live-events' },
        events.map((event) =>
          h(
            'li',
            { testid: 'live-event', 'data-status': event.status },
            h('strong', {}, event.status),
            event.previousStatus ? ` (was ${event.previousStatus})` : '',
            ` ${dateTime(event.occurredAt)}`,
          ),
        ),
      ),
    )
  }

  async function start(): Promise<void> {
    if (!quote) {
      const { quote: found } = await ctx.api.query(QUOTE_BY_NUMBER, { number })
      if (!found) {
        fill(
          section,
          h('h1', {}, 'Quote not found'),
          h('p', { testid: 'quote-not-found' }, `There is no quote ${number} that you may see.`),
        )
        return
      }
      quote = found
    }
    render()
    if (left) return
    stop = ctx.api.subscribe(
      WATCH_QUOTE,
      { id: quote.id },
      ({ quoteStatusChanged: event }) => {
        live = 'live'
        events.push({ status: event.status, previousStatus: event.previousStatus, occurredAt: event.occurredAt })
        show(event.quote)
      },
      () => {
        live = 'lost'
        render()
      },
    )
  }

  start().catch((error) => fill(section, failure(error)))
  return section
}

function linesTable(q: Quote): HTMLElement {
  const headings = [
    'Subscription',
    'Product',
    'Seats',
    'Term',
    'Start',
    'End',
    'Unit price',
    'Subtotal',
    'Discount',
    'Total',
  ]
  return h(
    'table',
    { testid: 'quote-lines' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headings.map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      q.lines.map((line) =>
        h(
          'tr',
          { testid: 'quote-line', 'data-number': line.subscription.number },
          h('td', {}, h('strong', {}, line.subscription.number)),
          h('td', {}, line.subscription.productName),
          h('td', { class: 'num' }, line.seats),
          h('td', {}, label(line.term)),
          h('td', {}, line.startDate),
          h('td', {}, line.endDate),
          h('td', { class: 'num' }, money(line.unitPrice)),
          h('td', { class: 'num' }, money(line.subtotal)),
          h('td', { class: 'num' }, money(line.discount)),
          h('td', { class: 'num' }, money(line.total)),
        ),
      ),
    ),
  )
}

function promotionsList(q: Quote): HTMLElement {
  if (q.promotions.length === 0) return h('p', { class: 'muted', testid: 'quote-promotions' }, 'No promotion applies.')
  return h(
    'ul',
    { class: 'promotions', testid: 'quote-promotions' },
    q.promotions.map((p) =>
      h('li', { testid: 'quote-promotion' }, h('code', {}, p.code), ` ${p.description}: −${money(p.discount)}`),
    ),
  )
}
