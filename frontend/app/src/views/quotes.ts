// A list of quotes (R14), kept up to date live by quoteStatusChanged without arguments (every
// quote the viewer may see). Buyers see their own ("My quotes"), partners their customers'.

import { failure, link, type Ctx } from '../context'
import { fill, h, label, money } from '../dom'
import { graphql } from '../gql'
import type { QuoteRowFragment } from '../gql/graphql'

export const QUOTE_ROW = graphql(`
  fragment QuoteRow on Quote {
    id
    number
    status
    origin
    createdAt
    expiresOn
    total {
      amount
      currency
    }
    customer {
      name
      csn
    }
  }
`)

const QUOTES = graphql(`
  query Quotes {
    quotes(first: 20) {
      totalCount
      edges {
        node {
          ...QuoteRow
        }
      }
    }
  }
`)

const WATCH_QUOTES = graphql(`
  subscription WatchQuotes {
    quoteStatusChanged {
      quote {
        ...QuoteRow
      }
    }
  }
`)

export function quotesView(ctx: Ctx, title: string, intro: string): HTMLElement {
  const showCustomer = ctx.viewer.role !== 'BUYER'
  const headings = ['Quote', showCustomer ? 'Customer' : null, 'Origin', 'Status', 'Total', 'Expires on']
  const quotes = new Map<string, QuoteRowFragment>()
  let total = 0
  const count = h('span', { testid: 'quotes-count' })
  const live = h('span', { class: 'live', testid: 'live-state' }, 'connecting…')
  const body = h('tbody', {})
  const section = h('section', { testid: 'quotes' }, h('p', { class: 'muted' }, 'Loading quotes…'))

  function render(): void {
    // Newest first, as the API lists them; a quote first seen in an event goes where it belongs.
    const rows = [...quotes.values()].sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.number.localeCompare(a.number),
    )
    count.textContent = `${total} in all, the newest ${rows.length} shown; changes appear live.`
    fill(
      body,
      rows.length === 0 ? h('tr', {}, h('td', { colspan: headings.length, class: 'muted' }, 'No quotes yet.')) : null,
      rows.map((q) =>
        h(
          'tr',
          { testid: 'quote-row', 'data-number': q.number },
          h('td', {}, link(ctx, `/app/quotes/${encodeURIComponent(q.number)}`, { testid: 'open-quote' }, q.number)),
          showCustomer ? h('td', {}, `${q.customer.name} (${q.customer.csn})`) : null,
          h('td', {}, label(q.origin)),
          h('td', {}, h('span', { class: `status status-${q.status}`, testid: 'quote-row-status' }, q.status)),
          h('td', { class: 'num' }, money(q.total)),
          h('td', {}, q.expiresOn),
        ),
      ),
    )
  }

  function watch(): void {
    ctx.onLeave(
      ctx.api.subscribe(
        WATCH_QUOTES,
        {},
        ({ quoteStatusChanged: { quote } }) => {
          if (!quotes.has(quote.id)) total += 1
          quotes.set(quote.id, quote)
          render()
        },
        (error) => section.append(failure(error)),
      ),
    )
    ctx.onLeave(
      ctx.api.onConnection((connected) => {
        live.className = connected ? 'live live-live' : 'live'
        live.textContent = connected ? '● live' : 'connecting…'
      }),
    )
  }

  ctx.api.query(QUOTES, {}).then(
    ({ quotes: page }) => {
      total = page.totalCount
      for (const { node } of page.edges) quotes.set(node.id, node)
      fill(
        section,
        h('h1', {}, title),
        h('p', { class: 'muted' }, intro, ' ', count, ' ', live),
        h(
          'table',
          { testid: 'quotes-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              headings.map((t) => t && h('th', {}, t)),
            ),
          ),
          body,
        ),
      )
      render()
      watch()
    },
    (error) => fill(section, failure(error)),
  )
  return section
}
