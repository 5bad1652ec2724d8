// The bearer token lives in sessionStorage only: it is gone when the tab closes, and never in
// localStorage, a cookie or the address bar.

const KEY = 'renewals.token'

/** `/app?token=...` signs in, and the token is removed from the address bar (and history) at once. */
export function takeTokenFromAddressBar(): void {
  const url = new URL(window.location.href)
  const token = url.searchParams.get('token')
  if (token === null) return
  url.searchParams.delete('token')
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
  if (token.trim()) saveToken(token)
}

export function savedToken(): string | null {
  return sessionStorage.getItem(KEY)
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim().replace(/^Bearer\s+/i, ''))
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY)
}
