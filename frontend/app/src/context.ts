// What every view gets: the API, who is signed in, navigation, and a place for its clean-ups.

import type { Api } from './api'
import { graphql } from './gql'
import type { ViewerQuery } from './gql/graphql'
import { h, type Child, type Props } from './dom'

export const VIEWER = graphql(`
  query Viewer {
    viewer {
      role
      customer {
        name
        csn
      }
      partner {
        name
        csn
      }
    }
  }
`)

export type Viewer = ViewerQuery['viewer']

export interface Ctx {
  api: Api
  viewer: Viewer
  /** Goes to a path under /app/; `handoff` is passed to the next view (e.g. a quote just made). */
  navigate(path: string, handoff?: unknown): void
  /** Runs when the view is left (unsubscribe, ...). */
  onLeave(cleanup: () => void): void
}

/** An in-app link: a real href (open in a new tab works), navigated without a page load. */
export function link(ctx: Ctx, href: string, props: Props, ...children: Child[]): HTMLAnchorElement {
  return h(
    'a',
    {
      ...props,
      href,
      onclick: (event: Event) => {
        const e = event as MouseEvent
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
        e.preventDefault()
        ctx.navigate(href)
      },
    },
    ...children,
  )
}

export function failure(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error)
  return h('div', { class: 'errors', role: 'alert', testid: 'failure' }, message)
}
