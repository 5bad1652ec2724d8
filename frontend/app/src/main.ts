// The reference SPA for renewals, served at /app. Sign in with a bearer token, then:
//   /app/                 buyer: the eligible renewal groups (R04); partner and sales: the quotes
//   /app/quotes           buyer: my quotes
//   /app/quotes/<number>  one quote, live, with "Accept and buy"
// Read api.ts (the client), then views/groups.ts and views/quote.ts (the buyer's flow).

import './style.css'
import { connect, type Api } from './api'
import { VIEWER, type Ctx, type Viewer } from './context'
import { fill, h } from './dom'
import { forgetToken, savedToken, saveToken, takeTokenFromAddressBar } from './token'
import { groupsView } from './views/groups'
import { headerView } from './views/header'
import { quoteView } from './views/quote'
import { quotesView } from './views/quotes'
import { signInView } from './views/signin'

const REFUSED = 'The server refused your token (expired or not valid): sign in again.'

const root = document.querySelector<HTMLDivElement>('#app')!
let api: Api | null = null
let viewer: Viewer | null = null
let cleanups: (() => void)[] = []
let handoff: unknown

function leaveView(): void {
  for (const cleanup of cleanups.splice(0)) cleanup()
}

function signOut(message?: string): void {
  leaveView()
  api?.dispose()
  api = null
  viewer = null
  forgetToken()
  const signIn = signInView((token) => {
    saveToken(token)
    void start()
  }, message)
  fill(root, h('header', {}, h('strong', { class: 'brand' }, 'Renewals')), h('main', {}, signIn))
}

async function start(): Promise<void> {
  const token = savedToken()
  if (!token) return signOut()
  fill(root, h('main', {}, h('p', { class: 'muted' }, 'Signing in…')))
  const session = connect(token, () => signOut(REFUSED))
  api = session
  try {
    viewer = (await session.query(VIEWER, {})).viewer
    render()
  } catch (error) {
    // A refused token has already signed out (REFUSED); anything else, e.g. the server is down:
    if (api === session) signOut(`Could not sign in: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function navigate(path: string, data?: unknown): void {
  handoff = data
  window.history.pushState(null, '', path)
  render()
  window.scrollTo(0, 0)
}

function render(): void {
  leaveView()
  if (!api || !viewer) return
  const ctx: Ctx = { api, viewer, navigate, onLeave: (cleanup) => cleanups.push(cleanup) }
  const data = handoff
  handoff = undefined
  fill(
    root,
    headerView(ctx, () => signOut()),
    h('main', {}, route(ctx, data)),
  )
}

function route(ctx: Ctx, data: unknown): HTMLElement {
  const path = window.location.pathname.replace(/^\/app\/?/, '').replace(/\/$/, '')
  const isBuyer = ctx.viewer.role === 'BUYER'
  if (path === '') {
    if (isBuyer) return groupsView(ctx)
    return ctx.viewer.role === 'PARTNER'
      ? quotesView(
          ctx,
          "Your customers' quotes",
          `Welcome, ${ctx.viewer.partner?.name ?? 'partner'}: the quotes on the subscriptions you are reseller of record for.`,
        )
      : quotesView(ctx, 'All quotes', 'Every quote, for the sales team.')
  }
  if (path === 'quotes') return quotesView(ctx, isBuyer ? 'My quotes' : 'Quotes', 'Your quotes, newest first.')
  const quote = /^quotes\/([^/]+)$/.exec(path)
  if (quote) return quoteView(ctx, decodeURIComponent(quote[1]!), data as Parameters<typeof quoteView>[2])
  return h('section', {}, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/app/' }, 'Start page')))
}

window.addEventListener('popstate', render)
takeTokenFromAddressBar()
void start()
