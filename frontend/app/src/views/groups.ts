// R04, the self-service renewal: the eligible subscriptions in groups (customer, currency,
// payment method, reseller); per group, untick what to leave out (each change is priced by
// previewQuote, which writes nothing), add up to four recipients, and either request the quote
// at once or save it as a DRAFT to review on the quote page before sending it.

import { failure, type Ctx } from '../context'
import { fill, h, label, money, newIdempotencyKey, userErrorList, type UserError } from '../dom'
import { graphql } from '../gql'
import type { EligibleGroupsQuery, PreviewRenewalMutation } from '../gql/graphql'

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

const PREVIEW_QUOTE = graphql(`
  mutation PreviewRenewal($input: PreviewQuoteInput!) {
    previewQuote(input: $input) {
      preview {
        type
        currency
        lines {
          subscription {
            number
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
        expiresOn
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`)

type Preview = NonNullable<PreviewRenewalMutation['previewQuote']['preview']>
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
  let busy: 'request' | 'draft' | null = null
  /** Each selection change is previewed; only the answer to the latest one is shown. */
  let previewSeq = 0

  const requestButton = h('button', { type: 'submit', class: 'primary', testid: 'request-quote' }, 'Request quote')
  const draftButton = h(
    'button',
    { type: 'button', testid: 'save-draft', onclick: () => void (busy ? null : request(true)) },
    'Save as draft',
  )
  const previewBox = h('div', { class: 'preview', testid: 'preview', 'data-state': 'loading' })
  const recipientRows = h('div', { class: 'recipients', testid: 'recipients' })
  const addButton = h(
    'button',
    { type: 'button', testid: 'add-recipient', onclick: () => addRecipient() },
    'Add recipient',
  )
  const errorBox = h('div', { testid: 'request-errors' })
  const rows = group.subscriptions.map((s) =>
    subscriptionRow(s, selected, () => {
      update()
      void preview()
    }),
  )

  function update(): void {
    requestButton.disabled = busy !== null || selected.size === 0
    requestButton.textContent = busy === 'request' ? 'Requesting…' : 'Request quote'
    draftButton.disabled = busy !== null || selected.size === 0
    draftButton.textContent = busy === 'draft' ? 'Saving…' : 'Save as draft'
    addButton.disabled = recipients.length >= MAX_RECIPIENTS
  }

  /** What the selection would cost now: previewQuote prices and checks it, and creates nothing. */
  async function preview(): Promise<void> {
    const seq = ++previewSeq
    const subscriptionIds = group.subscriptions.filter((s) => selected.has(s.id)).map((s) => s.id)
    previewBox.dataset.state = 'loading'
    previewBox.classList.add('stale')
    try {
      const { previewQuote: result } = await ctx.api.mutate(PREVIEW_QUOTE, {
        input: { renewal: { subscriptionIds } },
      })
      if (seq !== previewSeq) return
      fill(
        previewBox,
        result.preview ? previewTable(result.preview) : null,
        userErrorList(result.userErrors, 'This selection would be refused:'),
      )
    } catch (error) {
      if (seq !== previewSeq) return
      fill(previewBox, failure(error))
    }
    previewBox.classList.remove('stale')
    previewBox.dataset.state = 'ready'
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

  /** Requests the quote (sent at once), or saves it as a DRAFT to review first. */
  async function request(draft = false): Promise<void> {
    const subscriptionIds = group.subscriptions.filter((s) => selected.has(s.id)).map((s) => s.id)
    // Empty rows are not sent; `sent[i]` is the row of the i-th recipient sent (for error paths).
    const sent = recipients
      .map((_, row) => row)
      .filter((row) => recipients[row]!.email.trim() || recipients[row]!.name.trim())
    busy = draft ? 'draft' : 'request'
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
          draft,
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
      busy = null
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
        if (!busy) void request(false)
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
    h('h3', {}, 'This quote, priced now'),
    h(
      'p',
      { class: 'muted small' },
      'Every change of the selection is priced again (',
      h('code', {}, 'previewQuote'),
      ': nothing is created or held).',
    ),
    previewBox,
    h('h3', {}, 'Recipients'),
    h('p', { class: 'muted small' }, "Your company's buyer contacts always receive the quote; add up to four more."),
    recipientRows,
    h(
      'p',
      { class: 'muted small' },
      '"Request quote" sends it at once; "Save as draft" keeps it to review (seats, recipients) before you send it.',
    ),
    h('div', { class: 'actions' }, addButton, draftButton, requestButton),
    errorBox,
  )
  update()
  void preview()
  return card
}

function previewTable(p: Preview): HTMLElement {
  return h(
    'div',
    {},
    h(
      'table',
      { testid: 'preview-lines' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Subscription', 'Seats', 'Term', 'New term', 'Unit price', 'Subtotal', 'Discount', 'Total'].map((t) =>
            h('th', {}, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        p.lines.map((line) =>
          h(
            'tr',
            { testid: 'preview-line', 'data-number': line.subscription.number },
            h('td', {}, h('strong', {}, line.subscription.number)),
            h('td', { class: 'num' }, line.seats),
            h('td', {}, label(line.term)),
            h('td', {}, `${line.startDate} – ${line.endDate}`),
            h('td', { class: 'num' }, money(line.unitPrice)),
            h('td', { class: 'num' }, money(line.subtotal)),
            h('td', { class: 'num' }, money(line.discount)),
            h('td', { class: 'num', testid: 'preview-line-total' }, money(line.total)),
          ),
        ),
      ),
    ),
    p.promotions.length
      ? h(
          'ul',
          { class: 'promotions' },
          p.promotions.map((promo) =>
            h('li', {}, h('code', {}, promo.code), ` ${promo.description}: −${money(promo.discount)}`),
          ),
        )
      : null,
    h(
      'dl',
      { class: 'totals' },
      h('dt', {}, 'Subtotal'),
      h('dd', { testid: 'preview-subtotal' }, money(p.subtotal)),
      h('dt', {}, 'Discounts'),
      h('dd', { testid: 'preview-discount' }, money(p.discountTotal)),
      h('dt', {}, 'Total'),
      h('dd', { testid: 'preview-total' }, h('strong', {}, money(p.total))),
      h('dt', {}, 'Would expire on'),
      h('dd', {}, p.expiresOn),
    ),
  )
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
