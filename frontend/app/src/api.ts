// The GraphQL client: @urql/core over HTTP (POST /graphql) and graphql-ws over WebSocket for
// subscriptions, both with the bearer token. The server checks the socket's token at
// connection_init and closes it with 4403 when it is not valid: that means "sign in again".

import {
  Client,
  CombinedError,
  fetchExchange,
  subscriptionExchange,
  type AnyVariables,
  type OperationResult,
  type TypedDocumentNode,
} from '@urql/core'
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws'

const FORBIDDEN = 4403

export class ApiError extends Error {}

export interface Api {
  query<Data, Vars extends AnyVariables>(doc: TypedDocumentNode<Data, Vars>, vars: Vars): Promise<Data>
  mutate<Data, Vars extends AnyVariables>(doc: TypedDocumentNode<Data, Vars>, vars: Vars): Promise<Data>
  /** Calls onData for every event until the returned function is called. */
  subscribe<Data, Vars extends AnyVariables>(
    doc: TypedDocumentNode<Data, Vars>,
    vars: Vars,
    onData: (data: Data) => void,
    onError: (error: Error) => void,
  ): () => void
  /** Calls `listener` now and whenever the WebSocket connects or closes, until the returned function is called. */
  onConnection(listener: (connected: boolean) => void): () => void
  dispose(): void
}

/** `onSignedOut` runs once when the server refuses the token (HTTP or WebSocket). */
export function connect(token: string, onSignedOut: () => void): Api {
  let signedOut = false
  const signOut = () => {
    if (signedOut) return
    signedOut = true
    onSignedOut()
  }

  let connected = false
  const listeners = new Set<(connected: boolean) => void>()
  const setConnected = (value: boolean) => {
    connected = value
    listeners.forEach((listener) => listener(value))
  }

  const ws: WsClient = createWsClient({
    url: webSocketUrl('/graphql'),
    connectionParams: { Authorization: `Bearer ${token}` },
    // A refused token stays refused: do not retry 4403.
    shouldRetry: (event) => !isClose(event, FORBIDDEN),
    on: {
      connected: () => setConnected(true),
      closed: (event) => {
        setConnected(false)
        if (isClose(event, FORBIDDEN)) signOut()
      },
    },
  })

  const client = new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
    exchanges: [
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
      fetchExchange,
    ],
  })

  const unwrap = <Data>(result: OperationResult<Data>): Data => {
    if (result.error) {
      if (isUnauthenticated(result.error)) signOut()
      throw new ApiError(result.error.message)
    }
    if (!result.data) throw new ApiError('The server answered without data.')
    return result.data
  }

  return {
    query: async (doc, vars) => unwrap(await client.query(doc, vars).toPromise()),
    mutate: async (doc, vars) => unwrap(await client.mutation(doc, vars).toPromise()),
    subscribe(doc, vars, onData, onError) {
      const { unsubscribe } = client.subscription(doc, vars).subscribe((result) => {
        if (result.error) {
          if (isUnauthenticated(result.error)) signOut()
          onError(new ApiError(result.error.message))
        } else if (result.data) {
          onData(result.data)
        }
      })
      return unsubscribe
    },
    onConnection(listener) {
      listeners.add(listener)
      listener(connected)
      return () => listeners.delete(listener)
    },
    dispose: () => void ws.dispose(),
  }
}

function webSocketUrl(path: string): string {
  const url = new URL(path, window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.href
}

function isClose(event: unknown, code: number): boolean {
  return typeof event === 'object' && event !== null && 'code' in event && event.code === code
}

function isUnauthenticated(error: CombinedError): boolean {
  return (
    error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ||
    error.response?.status === 401 ||
    isClose(error.networkError, FORBIDDEN)
  )
}
