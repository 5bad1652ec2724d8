// A tiny DOM helper and the formatting every view shares. No framework: each view builds its
// elements with h() and re-renders its own container when its state changes.

export type Child = Node | string | number | null | undefined | false | Child[]
type Handler = (event: Event) => void
export type Props = Record<string, string | number | boolean | null | undefined | Handler>

/** h('button', { testid: 'accept', disabled: true, onclick: fn }, 'Accept') */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value)
    else if (key === 'testid') el.dataset.testid = String(value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  el.append(...flatten(children))
  return el
}

/** Replaces an element's content (re-rendering a view or a part of one). */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...flatten(children))
}

function flatten(children: Child[]): (Node | string)[] {
  return children.flatMap((c) =>
    Array.isArray(c)
      ? flatten(c)
      : c === null || c === undefined || c === false
        ? []
        : [typeof c === 'number' ? String(c) : c],
  )
}

export interface Money {
  amount: string
  currency: string
}

/** "1234.5" EUR -> "1,234.50 EUR"; the amount is a decimal string and is never turned into a float. */
export function money(m: Money): string {
  const [whole = '0', fraction = ''] = m.amount.split('.')
  const sign = whole.startsWith('-') ? '-' : ''
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${digits}.${fraction.padEnd(2, '0')} ${m.currency}`
}

const LABELS: Record<string, string> = { PAYPAL: 'PayPal' }

/** CREDIT_CARD -> "Credit card", THREE_YEAR -> "Three year". */
export function label(value: string): string {
  if (LABELS[value]) return LABELS[value]
  const words = value.toLowerCase().replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** An ISO date-time as "2026-11-26 14:03:07 UTC". */
export function dateTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** One key per click, so a retried request is not made twice (idempotencyKey). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // randomUUID needs a secure context; getRandomValues does not.
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export interface UserError {
  code: string
  field?: readonly string[] | null
  message: string
}

/** The refusals of a mutation, each with its code, input path and message. */
export function userErrorList(errors: readonly UserError[], title = 'The request was refused:'): HTMLElement | null {
  if (errors.length === 0) return null
  return h(
    'div',
    { class: 'errors', role: 'alert', testid: 'user-errors' },
    h('strong', {}, title),
    h(
      'ul',
      {},
      errors.map((e) =>
        h(
          'li',
          { testid: 'user-error', 'data-code': e.code },
          h('code', {}, e.code),
          e.field?.length ? [' at ', h('code', {}, e.field.join('.'))] : null,
          `: ${e.message}`,
        ),
      ),
    ),
  )
}
