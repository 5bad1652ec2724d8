// R04, the self-service renewal: the eligible subscriptions in groups (customer, currency,
// payment method, reseller); per group, untick what to leave out, add up to four recipients,
// and request the quote.

import { failure, type Ctx } from '../context'
import { fill, h, label, money, newIdempotencyKey, userErrorList, type UserError } from '../dom'
import { graphql } from '../gql'
import type { EligibleGroupsQuery } from '../gql/graphql'

const MAX_RECIPIENTS = 4

const ELIGIBLE_GROUPS = graphql(`
  query EligibleGroups {
    eligibleRenewalGroups {
      key
      currency
      paymentMethod
      reseller {
        name
        csn
      }
      estimatedTotal {
        amount
        currency
      }
      subscriptions {
        id
        number
        productName
        seats
        term
        endDate
        renewalWindow {
          opensOn
          closesOn
          isOpen
        }
        renewalEligibility {
          eligible
          reasons
        }
      }
    }
  }
`)

const REQUEST_QUOTE = graphql(`
  mutation RequestQuote($input: CreateRenewalQuoteInput!) {
    createRenewalQuote(input: $input) {
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

type Group = EligibleGroupsQuery['eligibleRenewalGroups'][number]
type Subscription = Group['subscriptions'][number]
interface Recipient {
  email: string
  name: string
}

export function groupsView(ctx: Ctx): HTMLElement {
  const section = h('section', { testid: 'groups' }, h('p', { class: 'muted' }, 'Loading your renewal groups…'))
  ctx.api.query(ELIGIBLE_GROUPS, {}).then(
    ({ eligibleRenewalGroups: groups }) =>
      fill(
        section,
        h('h1', {}, 'Renew subscriptions'),
        h(
          'p',
          { class: 'muted' },
          'These subscriptions can be renewed now, grouped by currency, payment method and reseller: ' +
            'one quote per group. Untick the ones to leave out, add up to four recipients, and request the quote.',
        ),
        groups.length
          ? groups.map((group) => groupCard(ctx, group))
          : h('p', { testid: 'no-groups' }, 'Nothing to renew right now.'),
      ),
    (error) => fill(section, failure(error)),
  )
  return section
}

function groupCard(ctx: Ctx, group: Group): HTMLElement {
  const selected = new Set(group.subscriptions.map((s) => s.id))
  const recipients: Recipient[] = []
  let busy = false

  const requestButton = h('button', { type: 'submit', class: 'primary', testid: 'request-quote' }, 'Request quote')
  const recipientRows = h('div', { class: 'recipients', testid: 'recipients' })
  const addButton = h(
    'button',
    { type: 'button', testid: 'add-recipient', onclick: () => addRecipient() },
    'Add recipient',
  )
  const errorBox = h('div', { testid: 'request-errors' })
  const rows = group.subscriptions.map((s) => subscriptionRow(s, selected, update))

  function update(): void {
    requestButton.disabled = busy || selected.size === 0
    requestButton.textContent = busy ? 'Requesting…' : 'Request quote'
    addButton.disabled = recipients.length >= MAX_RECIPIENTS
  }

  function addRecipient(): void {
    if (recipients.length >= MAX_RECIPIENTS) return
    recipients.push({ email: '', name: '' })
    renderRecipients()
    recipientRows.querySelector<HTMLInputElement>('.recipient:last-child input')?.focus()
  }

  function renderRecipients(): void {
    fill(
      recipientRows,
      ...recipients.map((recipient, index) =>
        h(
          'div',
          { class: 'recipient', testid: 'recipient' },
          h('input', {
            type: 'email',
            placeholder: 'email@example.com',
            'aria-label': `Recipient ${index + 1} email`,
            value: recipient.email,
            testid: 'recipient-email',
            oninput: (e: Event) => (recipient.email = edited(e)),
          }),
          h('input', {
            type: 'text',
            placeholder: 'Name (optional)',
            'aria-label': `Recipient ${index + 1} name`,
            value: recipient.name,
            testid: 'recipient-name',
            oninput: (e: Event) => (recipient.name = edited(e)),
          }),
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'aria-label': `Remove recipient ${index + 1}`,
              onclick: () => {
                recipients.splice(index, 1)
                renderRecipients()
              },
            },
            'Remove',
          ),
        ),
      ),
    )
    update()
  }

  async function request(): Promise<void> {
    const subscriptionIds = group.subscriptions.filter((s) => selected.has(s.id)).map((s) => s.id)
    // Empty rows are not sent; `sent[i]` is the row of the i-th recipient sent (for error paths).
    const sent = recipients
      .map((_, row) => row)
      .filter((row) => recipients[row]!.email.trim() || recipients[row]!.name.trim())
    busy = true
    update()
    try {
      const { createRenewalQuote: result } = await ctx.api.mutate(REQUEST_QUOTE, {
        input: {
          subscriptionIds,
          recipients: sent.map((row) => ({
            email: recipients[row]!.email.trim(),
            name: recipients[row]!.name.trim() || null,
          })),
          idempotencyKey: newIdempotencyKey(),
        },
      })
      if (result.quote && result.userErrors.length === 0) {
        ctx.navigate(`/app/quotes/${encodeURIComponent(result.quote.number)}`, result.quote)
        return
      }
      showErrors(result.userErrors, subscriptionIds, sent)
    } catch (error) {
      fill(errorBox, failure(error))
    } finally {
      busy = false
      update()
    }
  }

  /** Lists the refusals and marks the row or input each `field` path points at. */
  function showErrors(errors: readonly UserError[], subscriptionIds: string[], sent: number[]): void {
    fill(errorBox, userErrorList(errors) ?? '')
    card.querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'))
    for (const { field } of errors) {
      const [, list, index, key] = field ?? []
      const i = Number(index)
      if (list === 'subscriptionIds' && subscriptionIds[i] !== undefined) {
        rows[group.subscriptions.findIndex((s) => s.id === subscriptionIds[i])]?.classList.add('invalid')
      } else if (list === 'recipients' && sent[i] !== undefined) {
        const row = recipientRows.children[sent[i]]
        row?.querySelectorAll('input')[key === 'name' ? 1 : 0]?.classList.add('invalid')
      }
    }
  }

  const reseller = group.reseller ? `via ${group.reseller.name} (${group.reseller.csn})` : 'direct (no reseller)'
  const card = h(
    'form',
    {
      class: 'card',
      testid: 'group',
      // The server checks the addresses and says which one is wrong (userErrors).
      novalidate: true,
      'data-key': group.key,
      onsubmit: (event: Event) => {
        event.preventDefault()
        if (!busy) void request()
      },
    },
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, `${group.currency} · ${label(group.paymentMethod)} · ${reseller}`),
      h(
        'div',
        { class: 'estimate' },
        h('span', { class: 'muted' }, 'Estimated total, whole group '),
        h('strong', { testid: 'group-total' }, money(group.estimatedTotal)),
      ),
    ),
    h('p', { class: 'muted small' }, 'Group ', h('code', { testid: 'group-key' }, group.key)),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Renew', 'Subscription', 'Product', 'Seats', 'Term', 'Ends', 'Renewal window', 'Eligibility'].map((t) =>
            h('th', {}, t),
          ),
        ),
      ),
      h('tbody', {}, rows),
    ),
    h('h3', {}, 'Recipients'),
    h('p', { class: 'muted small' }, "Your company's buyer contacts always receive the quote; add up to four more."),
    recipientRows,
    h('div', { class: 'actions' }, addButton, requestButton),
    errorBox,
  )
  update()
  return card
}

function subscriptionRow(s: Subscription, selected: Set<string>, changed: () => void): HTMLTableRowElement {
  const renewal = s.renewalWindow
  const reasons = s.renewalEligibility.reasons
  return h(
    'tr',
    { testid: 'subscription-row', 'data-number': s.number },
    h(
      'td',
      {},
      h('input', {
        type: 'checkbox',
        checked: selected.has(s.id),
        'aria-label': `Renew ${s.number}`,
        testid: 'select-subscription',
        'data-number': s.number,
        onchange: (e: Event) => {
          if ((e.target as HTMLInputElement).checked) selected.add(s.id)
          else selected.delete(s.id)
          changed()
        },
      }),
    ),
    h('td', {}, h('strong', {}, s.number)),
    h('td', {}, s.productName),
    h('td', { class: 'num' }, s.seats),
    h('td', {}, label(s.term)),
    h('td', {}, s.endDate),
    h(
      'td',
      {},
      `${renewal.opensOn} – ${renewal.closesOn} `,
      h('span', { class: renewal.isOpen ? 'badge ok' : 'badge' }, renewal.isOpen ? 'open' : 'closed'),
    ),
    h('td', { testid: 'eligibility' }, reasons.length ? reasons.map((r) => h('code', {}, r)) : 'Eligible'),
  )
}

/** An input's new value; the mark of an earlier refusal goes once it is edited. */
function edited(event: Event): string {
  const input = event.target as HTMLInputElement
  input.classList.remove('invalid')
  return input.value
}
