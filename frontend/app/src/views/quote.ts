// One quote, live: quoteStatusChanged(quoteId) over graphql-ws sends the quote's current state
// first, then every change (FINALIZING -> QUOTED -> ORDER_SUBMITTED -> ORDERED). "Accept and buy"
// calls acceptQuote and is enabled only while the quote is QUOTED. A DRAFT is reviewed here:
// seats and recipients (updateDraftQuote, re-priced by the server), then "Send quote"
// (finalizeQuote: DRAFT -> FINALIZING -> QUOTED, followed live) or "Discard draft".

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
    address {
      line1
      line2
      city
      postalCode
      country
    }
    customer {
      name
      csn
      contacts {
        email
        role
      }
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
    recipients {
      email
      name
    }
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

const UPDATE_DRAFT = graphql(`
  mutation UpdateDraft($input: UpdateDraftQuoteInput!) {
    updateDraftQuote(input: $input) {
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

const FINALIZE_QUOTE = graphql(`
  mutation FinalizeQuote($input: FinalizeQuoteInput!) {
    finalizeQuote(input: $input) {
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

const DISCARD_DRAFT = graphql(`
  mutation DiscardDraft($input: DiscardDraftQuoteInput!) {
    discardDraftQuote(input: $input) {
      discardedQuoteId
      userErrors {
        code
        field
        message
      }
    }
  }
`)

type Quote = QuoteDetailFragment
const MAX_RECIPIENTS = 4

/** What the buyer is editing on a DRAFT, sent by "Save changes". */
interface DraftEdit {
  seats: Map<string, string>
  recipients: { email: string; name: string }[]
  address: AddressFields
}

interface AddressFields {
  line1: string
  line2: string
  city: string
  postalCode: string
  country: string
}

const ADDRESS_FIELDS: [keyof AddressFields, string][] = [
  ['line1', 'Street and number'],
  ['line2', 'Line 2 (optional)'],
  ['city', 'City'],
  ['postalCode', 'Postal code'],
  ['country', 'Country (two letters)'],
]

function addressOf(q: Quote): AddressFields {
  const a = q.address
  return { line1: a.line1, line2: a.line2 ?? '', city: a.city, postalCode: a.postalCode, country: a.country }
}

/** An input's new value; the mark of an earlier refusal goes once it is edited. */
function edited(event: Event, invalid: Set<string>, key: string): string {
  const input = event.target as HTMLInputElement
  input.classList.remove('invalid')
  invalid.delete(key)
  return input.value
}

/** The customer's buyer contacts: every quote goes to them, they are not among the editable recipients. */
function buyerEmails(q: Quote): Set<string> {
  return new Set(q.customer.contacts.filter((c) => c.role === 'BUYER').map((c) => c.email.toLowerCase()))
}

function draftEditOf(q: Quote): DraftEdit {
  const buyers = buyerEmails(q)
  return {
    seats: new Map(q.lines.map((line) => [line.subscription.id, String(line.seats)])),
    recipients: q.recipients
      .filter((r) => !buyers.has(r.email.toLowerCase()))
      .map((r) => ({ email: r.email, name: r.name ?? '' })),
    address: addressOf(q),
  }
}

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
  let working: 'update' | 'finalize' | 'discard' | null = null
  let edit: DraftEdit | null = quote ? draftEditOf(quote) : null
  /** The draft inputs the last refusal points at ("seats:<id>", "recipient:<row>:email", "address:city"). */
  const invalid = new Set<string>()
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

  /** Runs one of the draft's mutations; its quote (if any) replaces the shown one. */
  async function onDraft(
    what: 'update' | 'finalize' | 'discard',
    run: () => Promise<{ quote?: Quote | null; userErrors: readonly UserError[] }>,
    mark: (errors: readonly UserError[]) => void = () => {},
  ): Promise<void> {
    working = what
    errors = []
    problem = null
    invalid.clear()
    render()
    try {
      const result = await run()
      errors = result.userErrors
      mark(errors)
      if (result.quote) {
        show(result.quote)
        if (what === 'update' && errors.length === 0) edit = draftEditOf(result.quote)
      }
    } catch (error) {
      problem = error
    } finally {
      working = null
      render()
    }
  }

  /** Sends the seats and recipients, and the address only if it was edited (else the customer's
   * address at sending stays the one used). */
  function saveDraft(q: Quote, e: DraftEdit): Promise<void> {
    // Empty rows are not sent; `sent[i]` is the row of the i-th recipient sent (for error paths).
    const sent = e.recipients
      .map((_, row) => row)
      .filter((row) => e.recipients[row]!.email.trim() || e.recipients[row]!.name.trim())
    const address = Object.fromEntries(
      ADDRESS_FIELDS.map(([key]) => [key, e.address[key].trim()]),
    ) as unknown as AddressFields
    const addressEdited = ADDRESS_FIELDS.some(([key]) => address[key] !== addressOf(q)[key])
    return onDraft(
      'update',
      async () => {
        const { updateDraftQuote } = await ctx.api.mutate(UPDATE_DRAFT, {
          input: {
            quoteId: q.id,
            changes: q.lines.map((line) => ({
              subscriptionId: line.subscription.id,
              seats: Number(e.seats.get(line.subscription.id) ?? line.seats),
            })),
            recipients: sent.map((row) => ({
              email: e.recipients[row]!.email.trim(),
              name: e.recipients[row]!.name.trim() || null,
            })),
            address: addressEdited ? { ...address, line2: address.line2 || null } : null,
          },
        })
        return updateDraftQuote
      },
      (refusals) => {
        for (const { field } of refusals) {
          const [, list, index, key] = field ?? []
          const i = Number(index)
          if (list === 'changes' && q.lines[i]) invalid.add(`seats:${q.lines[i].subscription.id}`)
          else if (list === 'recipients' && sent[i] !== undefined) invalid.add(`recipient:${sent[i]}:${key ?? 'email'}`)
          else if (list === 'address' && index) invalid.add(`address:${index}`)
        }
      },
    )
  }

  function sendDraft(q: Quote): Promise<void> {
    return onDraft('finalize', async () => {
      const { finalizeQuote } = await ctx.api.mutate(FINALIZE_QUOTE, {
        input: { quoteId: q.id, idempotencyKey: newIdempotencyKey() },
      })
      return finalizeQuote
    })
  }

  function discardDraft(q: Quote): Promise<void> {
    return onDraft('discard', async () => {
      const { discardDraftQuote } = await ctx.api.mutate(DISCARD_DRAFT, { input: { quoteId: q.id } })
      if (discardDraftQuote.discardedQuoteId && discardDraftQuote.userErrors.length === 0) {
        ctx.navigate('/app/')
      }
      return discardDraftQuote
    })
  }

  /** A DRAFT's review: seats per line and recipients, saved together; then send or discard. */
  function draftReview(q: Quote): HTMLElement | null {
    if (q.status !== 'DRAFT') return null
    if (!edit) edit = draftEditOf(q)
    const e = edit
    const recipientRows = h('div', { class: 'recipients', testid: 'draft-recipients' })
    const addButton = h(
      'button',
      {
        type: 'button',
        testid: 'draft-add-recipient',
        disabled: e.recipients.length >= MAX_RECIPIENTS,
        onclick: () => {
          e.recipients.push({ email: '', name: '' })
          render()
        },
      },
      'Add recipient',
    )
    fill(
      recipientRows,
      e.recipients.map((r, index) =>
        h(
          'div',
          { class: 'recipient', testid: 'draft-recipient' },
          h('input', {
            type: 'email',
            placeholder: 'email@example.com',
            'aria-label': `Recipient ${index + 1} email`,
            value: r.email,
            class: invalid.has(`recipient:${index}:email`) ? 'invalid' : null,
            testid: 'draft-recipient-email',
            oninput: (event: Event) => (r.email = edited(event, invalid, `recipient:${index}:email`)),
          }),
          h('input', {
            type: 'text',
            placeholder: 'Name (optional)',
            'aria-label': `Recipient ${index + 1} name`,
            value: r.name,
            class: invalid.has(`recipient:${index}:name`) ? 'invalid' : null,
            testid: 'draft-recipient-name',
            oninput: (event: Event) => (r.name = edited(event, invalid, `recipient:${index}:name`)),
          }),
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'aria-label': `Remove recipient ${index + 1}`,
              onclick: () => {
                e.recipients.splice(index, 1)
                render()
              },
            },
            'Remove',
          ),
        ),
      ),
    )
    const busy = working !== null
    return h(
      'div',
      { class: 'card draft', testid: 'draft-review' },
      h('h2', {}, 'Review the draft'),
      h(
        'p',
        { class: 'muted small' },
        'Nothing is sent or held yet. Change the seats above, the recipients or the billing address, save the changes ' +
          '(re-priced at once), then send the quote to its recipients or discard it.',
      ),
      h('h3', {}, 'Recipients'),
      h(
        'p',
        { class: 'muted small' },
        'Always sent to your buyer contacts',
        buyerEmails(q).size ? ` (${[...buyerEmails(q)].join(', ')})` : '',
        '; add up to four more.',
      ),
      recipientRows,
      h('div', { class: 'actions' }, addButton),
      h('h3', {}, 'Billing address'),
      h(
        'p',
        { class: 'muted small' },
        "The quote is sent with this address; left as it is, your company's address when it is sent.",
      ),
      h(
        'div',
        { class: 'address', testid: 'draft-address' },
        ADDRESS_FIELDS.map(([key, text]) =>
          h('input', {
            type: 'text',
            placeholder: text,
            'aria-label': text,
            value: e.address[key],
            class: invalid.has(`address:${key}`) ? 'invalid' : null,
            testid: `draft-address-${key}`,
            oninput: (event: Event) => (e.address[key] = edited(event, invalid, `address:${key}`)),
          }),
        ),
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', testid: 'update-draft', disabled: busy, onclick: () => void saveDraft(q, e) },
          working === 'update' ? 'Saving…' : 'Save changes',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            testid: 'discard-draft',
            disabled: busy,
            onclick: () => void discardDraft(q),
          },
          working === 'discard' ? 'Discarding…' : 'Discard draft',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            testid: 'finalize-quote',
            disabled: busy,
            onclick: () => void sendDraft(q),
          },
          working === 'finalize' ? 'Sending…' : 'Send quote',
        ),
      ),
    )
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
      linesTable(q, q.status === 'DRAFT' ? edit : null, invalid),
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
      draftReview(q),
      q.status === 'DRAFT'
        ? null
        : h(
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
      edit = draftEditOf(found)
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

/** The lines; a DRAFT's seats are inputs (kept in `edit` until "Save changes"). */
function linesTable(q: Quote, edit: DraftEdit | null, invalid: Set<string>): HTMLElement {
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
          h(
            'td',
            { class: 'num' },
            edit
              ? h('input', {
                  type: 'number',
                  min: 1,
                  class: invalid.has(`seats:${line.subscription.id}`) ? 'seats invalid' : 'seats',
                  'aria-label': `Seats of ${line.subscription.number}`,
                  testid: 'draft-seats',
                  'data-number': line.subscription.number,
                  value: edit.seats.get(line.subscription.id) ?? String(line.seats),
                  oninput: (event: Event) =>
                    edit.seats.set(line.subscription.id, edited(event, invalid, `seats:${line.subscription.id}`)),
                })
              : line.seats,
          ),
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
