// The dashboard: asks for the admin token when the emulator has one, then routes (by the URL's hash) between
// the overview, the tenant pages and the request journal, with live updates from /__emulator/events.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { createControl, storedToken, storeToken, tokenRequired, type VendorName } from './api.ts'
import { Dashboard, useDashboard } from './context.ts'
import { reportUnauthorized, setUnauthorizedHandler, useResource } from './hooks.ts'
import { onLiveStatus, startLive, stopLive, type LiveStatus } from './live.ts'
import { HeliconePage } from './pages/helicone.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { PortkeyPage } from './pages/portkey.tsx'
import { PulzePage } from './pages/pulze.tsx'
import { RequestsPage } from './pages/requests.tsx'
import { TokenForm } from './pages/token-form.tsx'
import { VENDOR_TITLES } from './tenant.ts'

type Route =
  | { page: 'overview' }
  | { page: 'tenant'; vendor: VendorName; ref: string }
  | { page: 'requests'; selected: string | null }
  | { page: 'unknown' }

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/')
  const [first = '', second, ...rest] = parts
  if (first === '') return { page: 'overview' }
  if (first === 'requests') return { page: 'requests', selected: second === undefined || second === '' ? null : decodeURIComponent(second) }
  if ((first === 'portkey' || first === 'helicone' || first === 'pulze') && second !== undefined) {
    return { page: 'tenant', vendor: first, ref: decodeURIComponent([second, ...rest].join('/')) }
  }
  return { page: 'unknown' }
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash))
  useEffect(() => {
    const changed = () => {
      setRoute(parseRoute(location.hash))
      // Move focus to the new page, as a page load would (screen readers then read it from the start).
      requestAnimationFrame(() => document.getElementById('main')?.focus())
    }
    addEventListener('hashchange', changed)
    return () => removeEventListener('hashchange', changed)
  }, [])
  return route
}

export function App() {
  const [token, setToken] = useState<string | null>(() => (tokenRequired ? storedToken() : null))
  const [refused, setRefused] = useState(false)
  useEffect(() => {
    setUnauthorizedHandler(() => {
      storeToken(null)
      setRefused(true)
      setToken(null)
    })
  }, [])
  if (tokenRequired && token === null) {
    return (
      <TokenForm
        refused={refused}
        onToken={(t) => {
          storeToken(t)
          setRefused(false)
          setToken(t)
        }}
      />
    )
  }
  return <Shell token={token} />
}

function Shell(props: { token: string | null }) {
  const control = useMemo(() => createControl(props.token), [props.token])
  const overview = useResource(
    () => control.tenants(),
    [control],
    () => true,
  )
  const route = useRoute()
  const [live, setLive] = useState<LiveStatus>('connecting')
  useEffect(() => {
    // A refused token asks for it again (reloading the overview would only be refused once more).
    startLive(props.token, reportUnauthorized)
    const stop = onLiveStatus(setLive)
    return () => {
      stop()
      stopLive()
    }
  }, [props.token])

  return (
    <Dashboard.Provider value={{ control, overview }}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <p class="brand">llm-feedback-emulator {overview.data === undefined ? '' : <span class="hint">{overview.data.version}</span>}</p>
        <nav aria-label="Pages">
          <a href="#/" aria-current={route.page === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a href="#/requests" aria-current={route.page === 'requests' ? 'page' : undefined}>
            Requests
          </a>
        </nav>
        <p class={`live ${live}`} role="status" aria-live="polite" data-live={live}>
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline, retrying'}
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        {overview.error !== null && overview.data === undefined && (
          <p role="alert" class="error">
            {overview.error}
          </p>
        )}
        <Page route={route} />
      </main>
    </Dashboard.Provider>
  )
}

function Page(props: { route: Route }) {
  const { route } = props
  if (route.page === 'overview') return <OverviewPage />
  if (route.page === 'requests') return <RequestsPage selected={route.selected} />
  if (route.page === 'unknown')
    return (
      <p role="alert">
        No such page: go back to the <a href="#/">overview</a>.
      </p>
    )
  return <TenantPage vendor={route.vendor} tenantRef={route.ref} />
}

function TenantPage(props: { vendor: VendorName; tenantRef: string }) {
  const { overview } = useDashboard()
  const vendor = overview.data?.vendors.find((v) => v.vendor === props.vendor)
  const summary = vendor?.tenants.find((t) => t.ref === props.tenantRef)
  if (overview.data === undefined) return <p aria-busy="true">{overview.error ?? 'Loading…'}</p>
  if (vendor === undefined) return <p role="alert">{VENDOR_TITLES[props.vendor]} is not served by this emulator.</p>
  if (summary === undefined)
    return (
      <p role="alert">
        This {VENDOR_TITLES[props.vendor]} tenant has no records (it was reset, or never written). Back to the <a href="#/">overview</a>.
      </p>
    )
  // Keyed by tenant: a new tenant starts with fresh filters and pages.
  const key = `${props.vendor}/${props.tenantRef}`
  if (props.vendor === 'portkey') return <PortkeyPage key={key} summary={summary} mount={vendor.mount} />
  if (props.vendor === 'helicone') return <HeliconePage key={key} summary={summary} mount={vendor.mount} />
  return <PulzePage key={key} summary={summary} mount={vendor.mount} />
}
