// The dashboard's clients: the control API through the project's typed client (src/control/client.ts), the
// vendors' own endpoints through openapi-fetch over their generated `paths`. Every request carries
// `X-Emulator-Dashboard: 1` (no faults, journal, coverage or log lines for it) and, when the emulator runs
// with --admin-token, the token the user typed (kept in this tab's sessionStorage only).
import createClient from 'openapi-fetch'
import { ControlApiError, createControlClient, type ControlClient } from '../control/client.ts'
import type { components as EmulatorComponents } from '../generated/emulator.ts'
import type { components as HeliconeComponents, paths as HeliconePaths } from '../generated/helicone.ts'
import type { components as PortkeyComponents, paths as PortkeyPaths } from '../generated/portkey.ts'
import type { components as PulzeComponents, paths as PulzePaths } from '../generated/pulze.ts'

export { ControlApiError }
export type { ControlClient }

type Emulator = EmulatorComponents['schemas']
export type TenantOverview = Emulator['TenantOverview']
export type VendorOverview = Emulator['VendorOverview']
export type TenantSummary = Emulator['TenantSummary']
export type VendorName = Emulator['VendorName']
export type FixtureDocument = Emulator['FixtureDocument']
export type JournalEntry = Emulator['JournalEntry']
export type ChangeEvent = Emulator['ChangeEvent']
export type PortkeyFeedback = Emulator['PortkeyFeedback']
export type PortkeyGeneration = Emulator['PortkeyGeneration']
export type FeedbackScoresGraph = PortkeyComponents['schemas']['FeedbackScoresGraph']
export type WeightedFeedbacksGraph = PortkeyComponents['schemas']['WeightedFeedbacksGraph']
export type PortkeyAnalyticsQuery = NonNullable<PortkeyPaths['/v1/analytics/graphs/feedbacks/scores']['get']['parameters']['query']>
type Helicone = HeliconeComponents['schemas']
export type ScoreOverTimeRow = HeliconeComponents['schemas']['ScoreOverTimeRow']
export type DataOverTimeRequest = HeliconeComponents['schemas']['DataOverTimeRequest']
export type TimeIncrement = HeliconeComponents['schemas']['TimeIncrement']
export type HeliconeRequest = HeliconeComponents['schemas']['HeliconeRequest']
export type PulzeLog = PulzeComponents['schemas']['LogRequest']
export type PulzeLogPage = PulzeComponents['schemas']['Page_LogRequest_']

/** Marks the dashboard's own requests (see specs/emulator.yaml, "The dashboard"). */
export const DASHBOARD_HEADERS = { 'x-emulator-dashboard': '1' } as const

const TOKEN_KEY = 'llm-feedback-emulator.admin-token'

/** Whether the emulator runs with --admin-token (the server marks the page it serves). */
export const tokenRequired = document.documentElement.dataset['adminToken'] === 'required'

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY)
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY)
  else sessionStorage.setItem(TOKEN_KEY, token)
}

/** The headers of every control request. */
export function controlHeaders(token: string | null): Record<string, string> {
  return token === null ? { ...DASHBOARD_HEADERS } : { ...DASHBOARD_HEADERS, authorization: `Bearer ${token}` }
}

export function createControl(token: string | null): ControlClient {
  return createControlClient({ url: location.origin, headers: controlHeaders(token) })
}

/** A vendor answered something other than 2xx: its status and body. */
export class VendorApiError extends Error {
  readonly status: number
  readonly body: unknown

  constructor(vendor: VendorName, status: number, body: unknown) {
    super(`${vendor} answered ${status}: ${JSON.stringify(body)?.slice(0, 300) ?? ''}`)
    this.status = status
    this.body = body
  }
}

async function vendorCall<T>(vendor: VendorName, pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending
  if (!response.ok) throw new VendorApiError(vendor, response.status, error)
  return data as T
}

/** The Portkey analytics a tenant's key reads (mount: `/portkey`, or `''` at the root). */
export function portkeyClient(mount: string, apiKey: string) {
  const api = createClient<PortkeyPaths>({
    baseUrl: `${location.origin}${mount}`,
    headers: { ...DASHBOARD_HEADERS, 'x-portkey-api-key': apiKey },
  })
  return {
    scores: (query: PortkeyAnalyticsQuery) =>
      vendorCall('portkey', api.GET('/v1/analytics/graphs/feedbacks/scores', { params: { query } })) as Promise<FeedbackScoresGraph>,
    weighted: (query: PortkeyAnalyticsQuery) =>
      vendorCall('portkey', api.GET('/v1/analytics/graphs/feedbacks/weighted', { params: { query } })) as Promise<WeightedFeedbacksGraph>,
  }
}

export function heliconeClient(mount: string, apiKey: string) {
  const api = createClient<HeliconePaths>({
    baseUrl: `${location.origin}${mount}`,
    headers: { ...DASHBOARD_HEADERS, authorization: `Bearer ${apiKey}` },
  })
  return {
    scoresOverTime: async (body: DataOverTimeRequest): Promise<ScoreOverTimeRow[]> => {
      // openapi-fetch's answer type loses the `{data, error}` union of jawn's Result: read it as the spec's schema.
      const result = (await vendorCall('helicone', api.POST('/v1/dashboard/scores/query', { body }))) as Helicone['Result_ScoresOverTime']
      if (result.error !== null) throw new VendorApiError('helicone', 200, result)
      return result.data
    },
    requests: async (offset: number, limit: number): Promise<HeliconeRequest[]> => {
      const result = (await vendorCall(
        'helicone',
        api.POST('/v1/request/query', { body: { filter: 'all', offset, limit, sort: { created_at: 'desc' } } }),
      )) as Helicone['Result_HeliconeRequestArray']
      if (result.error !== null) throw new VendorApiError('helicone', 201, result)
      return result.data
    },
  }
}

export function pulzeClient(mount: string, apiKey: string) {
  const api = createClient<PulzePaths>({
    baseUrl: `${location.origin}${mount}`,
    headers: { ...DASHBOARD_HEADERS, authorization: `Bearer ${apiKey}` },
  })
  return {
    logs: (page: number, size: number, from: string, to: string | null): Promise<PulzeLogPage> =>
      vendorCall(
        'pulze',
        api.POST('/v1/logs', {
          params: { query: { page, size } },
          body: { date_from: from, date_to: to, app_ids: [], params: [], query: '' },
        }),
      ),
  }
}

/** A readable message for any error of these clients. */
export function describeError(error: unknown): string {
  if (error instanceof ControlApiError) return error.message
  if (error instanceof VendorApiError) return error.message
  return error instanceof Error ? error.message : String(error)
}
