// A typed client of the control API (`/__emulator`), for tests that drive an emulator running as a process
// (or listening in-process), and for the dashboard (src/ui), which bundles it. Typed from the generated
// specs/emulator.yaml types through openapi-fetch: no hand-written copy of a request or answer shape.
// `createEmulator()`'s result has the same operations in-process.
import createClient from 'openapi-fetch'
import type { components, paths } from '../generated/emulator.ts'

type Schemas = components['schemas']
type QueryOf<P extends keyof paths, M extends 'get' | 'post' | 'delete'> = paths[P][M] extends { parameters: { query?: infer Q } }
  ? NonNullable<Q>
  : never

export type ControlClientOptions = {
  /** The emulator's base URL (`http://127.0.0.1:4100`); a URL ending in `/__emulator` works too. */
  url: string
  /** Sent with every request (e.g. an admin token). */
  headers?: Record<string, string>
  /** Another fetch (default: the global one). */
  fetch?: (input: Request) => Promise<Response>
}

/** A control API answer other than 2xx: its status and problem document. */
export class ControlApiError extends Error {
  readonly status: number
  readonly problem: unknown

  constructor(status: number, problem: unknown) {
    const p = problem as { title?: unknown; detail?: unknown } | undefined
    super(
      `control API answered ${status}${typeof p?.title === 'string' ? ` ${p.title}` : ''}${typeof p?.detail === 'string' ? `: ${p.detail}` : ''}`,
    )
    this.name = 'ControlApiError'
    this.status = status
    this.problem = problem
  }
}

export type ControlClient = ReturnType<typeof createControlClient>

export function createControlClient(options: string | ControlClientOptions) {
  const { url, headers, fetch } = typeof options === 'string' ? { url: options, headers: undefined, fetch: undefined } : options
  const base = url.replace(/\/+$/, '')
  const api = createClient<paths>({
    baseUrl: base.endsWith('/__emulator') ? base : `${base}/__emulator`,
    ...(headers === undefined ? {} : { headers }),
    ...(fetch === undefined ? {} : { fetch }),
  })

  return {
    health: () => call(api.GET('/health')),
    /** Back to the startup fixtures (every tenant, or `apiKey`'s; `empty: true` loads nothing back). */
    reset: (query: QueryOf<'/reset', 'post'> = {}) => call(api.POST('/reset', { params: { query } })),
    seed: (doc: Schemas['FixtureDocument']) => call(api.POST('/seed', { body: doc })),
    state: (query: QueryOf<'/state', 'get'> = {}) => call(api.GET('/state', { params: { query } })),
    /** Every served vendor with its base path, dev keys and tenants (record counts, last write, a key). */
    tenants: () => call(api.GET('/tenants')),

    /** Journaled requests, newest first (default at most 100). */
    requests: async (filter: QueryOf<'/requests', 'get'> = {}) =>
      (await call(api.GET('/requests', { params: { query: filter } }))).requests,
    request: (id: string) => call(api.GET('/requests/{id}', { params: { path: { id } } })),
    /** How many journaled requests match (`body`: a deep subset of the request body). */
    count: async (matcher: Schemas['RequestMatcher'] = {}) => (await call(api.POST('/requests/count', { body: matcher }))).count,
    clearRequests: async (filter: QueryOf<'/requests', 'delete'> = {}) =>
      (await call(api.DELETE('/requests', { params: { query: filter } }))).removed,
    /** The journal as HAR 1.2, oldest first. */
    har: (filter: QueryOf<'/requests.har', 'get'> = {}) => call(api.GET('/requests.har', { params: { query: filter } })),

    faults: {
      add: (rule: Schemas['FaultRule']) => call(api.POST('/faults', { body: rule })),
      list: async () => (await call(api.GET('/faults'))).faults,
      get: (id: string) => call(api.GET('/faults/{id}', { params: { path: { id } } })),
      remove: async (id: string) => void (await call(api.DELETE('/faults/{id}', { params: { path: { id } } }))),
      clear: async () => (await call(api.DELETE('/faults'))).removed,
    },

    clock: {
      get: () => call(api.GET('/clock')),
      /** Stops the clock at `at`. */
      freeze: (at: Date | string | number) =>
        call(api.POST('/clock', { body: { now: typeof at === 'string' ? at : new Date(at).toISOString() } })),
      /** Moves a frozen clock by `ms` (a running one: shifts it). */
      advance: (ms: number) => call(api.POST('/clock', { body: { advanceMs: ms } })),
      /** Runs `ms` ahead of real time (negative: behind). */
      offset: (ms: number) => call(api.POST('/clock', { body: { offsetMs: ms } })),
      reset: () => call(api.DELETE('/clock')),
    },

    coverage: {
      get: () => call(api.GET('/coverage')),
      reset: () => call(api.DELETE('/coverage')),
    },

    /** Scripted answers of the emulated LLM routes, tried in order. */
    completions: {
      add: async (rules: Schemas['CompletionRule'] | Schemas['CompletionRule'][]) =>
        (await call(api.POST('/completions', { body: rules }))).rules,
      list: async () => (await call(api.GET('/completions'))).rules,
      clear: async () => (await call(api.DELETE('/completions'))).removed,
    },
  }
}

async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending
  if (!response.ok) throw new ControlApiError(response.status, error)
  return data as T
}
