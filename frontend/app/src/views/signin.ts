// Sign in with a bearer token: pasted here, or given as /app?token=... (see token.ts).

import { h } from '../dom'

export function signInView(onToken: (token: string) => void, message?: string): HTMLElement {
  const input = h('textarea', {
    id: 'token',
    rows: 4,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: 'eyJhbGciOi...',
    testid: 'token-input',
  })
  return h(
    'section',
    { class: 'card narrow', testid: 'sign-in' },
    h('h1', {}, 'Sign in'),
    message ? h('p', { class: 'errors', role: 'alert', testid: 'sign-in-message' }, message) : null,
    h(
      'form',
      {
        onsubmit: (event: Event) => {
          event.preventDefault()
          if (input.value.trim()) onToken(input.value)
        },
      },
      h('label', { for: 'token' }, 'Bearer token'),
      input,
      h('button', { type: 'submit', class: 'primary', testid: 'sign-in-button' }, 'Sign in'),
    ),
    h(
      'p',
      { class: 'muted' },
      'A token for the demo buyer: ',
      h('code', {}, 'renewals token --role buyer --customer 5100000001'),
      '. It is kept in this tab only (sessionStorage).',
    ),
  )
}
