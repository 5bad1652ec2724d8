// The page header: who is signed in (viewer), the navigation, and sign out.

import { link, type Ctx } from '../context'
import { h } from '../dom'

export function headerView(ctx: Ctx, signOut: () => void): HTMLElement {
  const { role, customer, partner } = ctx.viewer
  const account = customer ?? partner
  const nav =
    role === 'BUYER'
      ? [
          link(ctx, '/app/', { testid: 'nav-renew' }, 'Renew'),
          link(ctx, '/app/quotes', { testid: 'nav-quotes' }, 'My quotes'),
        ]
      : [link(ctx, '/app/', { testid: 'nav-quotes' }, 'Quotes')]
  return h(
    'header',
    {},
    h('strong', { class: 'brand' }, 'Renewals'),
    h('nav', {}, nav),
    h(
      'span',
      { class: 'viewer', testid: 'viewer' },
      h('span', { class: 'badge', testid: 'viewer-role' }, role),
      account
        ? h('span', { testid: 'viewer-name' }, account.name, ' ', h('span', { class: 'muted' }, `(${account.csn})`))
        : null,
    ),
    h('button', { type: 'button', testid: 'sign-out', onclick: signOut }, 'Sign out'),
  )
}
