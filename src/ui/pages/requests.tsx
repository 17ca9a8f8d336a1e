// The request journal: what the app sent to the vendor routes, newest first, with status, duration and spec
// violations. One entry opens with its request and response (GET /requests/{id}: the list elides bodies
// over 64 KiB, the entry has them whole).
import { useState } from 'preact/hooks'
import type { JournalEntry, VendorName } from '../api.ts'
import { useDashboard } from '../context.ts'
import { formatNumber, formatTime, prettyBody } from '../format.ts'
import { useResource } from '../hooks.ts'
import type { LiveEvent } from '../live.ts'
import { VENDOR_TITLES } from '../tenant.ts'

const LIMIT = 100

export function RequestsPage(props: { selected: string | null }) {
  const { control } = useDashboard()
  const [vendor, setVendor] = useState<VendorName | ''>('')
  const concerns = (event: LiveEvent) => event.type === 'ready' || event.change.requests > 0
  const list = useResource(() => control.requests({ limit: LIMIT, ...(vendor === '' ? {} : { vendor }) }), [vendor], concerns)
  const journalOff = list.error !== null && /409/.test(list.error)

  return (
    <>
      <h1>Requests</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Journal filters">
        <label for="requests-vendor">Vendor</label>
        <select id="requests-vendor" value={vendor} onChange={(e) => setVendor(e.currentTarget.value as VendorName | '')}>
          <option value="">All vendors</option>
          {(Object.keys(VENDOR_TITLES) as VendorName[]).map((v) => (
            <option key={v} value={v}>
              {VENDOR_TITLES[v]}
            </option>
          ))}
        </select>
      </form>
      {journalOff ? (
        <p role="status">The request journal is off (--journal-size 0).</p>
      ) : (
        list.error !== null && (
          <p role="alert" class="error">
            {list.error}
          </p>
        )
      )}
      <div class="requests-layout">
        <div class="table-scroll">
          <table id="requests">
            <caption>The last {LIMIT} requests to vendor routes, newest first (the dashboard's own are not journaled)</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Time</th>
                <th scope="col">Vendor</th>
                <th scope="col">Method and path</th>
                <th scope="col">Operation</th>
                <th scope="col" class="numeric">
                  Status
                </th>
                <th scope="col" class="numeric">
                  Duration (ms)
                </th>
                <th scope="col" class="numeric">
                  Violations
                </th>
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).length === 0 ? (
                <tr>
                  <td colSpan={8} class="empty">
                    Nothing journaled yet.
                  </td>
                </tr>
              ) : (
                (list.data ?? []).map((entry) => <EntryRow key={entry.id} entry={entry} selected={entry.id === props.selected} />)
              )}
            </tbody>
          </table>
        </div>
        {props.selected !== null && <EntryDetail id={props.selected} />}
      </div>
    </>
  )
}

function violationCount(entry: JournalEntry): number {
  return entry.violations.request.length + entry.violations.response.length
}

function EntryRow(props: { entry: JournalEntry; selected: boolean }) {
  const e = props.entry
  const failed = e.status === null || e.status >= 400
  return (
    <tr data-key={e.id} class={props.selected ? 'selected' : undefined} aria-current={props.selected ? 'true' : undefined}>
      <td>
        <a href={`#/requests/${encodeURIComponent(e.id)}`}>{e.id}</a>
      </td>
      <td>
        <time dateTime={e.time}>{formatTime(e.time)}</time>
      </td>
      <td>{VENDOR_TITLES[e.vendor]}</td>
      <td>
        <code>
          {e.method} {e.path}
        </code>
      </td>
      <td>{e.operationId ?? '—'}</td>
      <td class={failed ? 'numeric bad' : 'numeric'} data-column="status">
        {e.status ?? e.error ?? '—'}
        {e.fault !== undefined ? ` (fault ${e.fault.kind})` : ''}
      </td>
      <td class="numeric">{formatNumber(e.durationMs, 1)}</td>
      <td class={violationCount(e) > 0 ? 'numeric bad' : 'numeric'} data-column="violations">
        {violationCount(e)}
      </td>
    </tr>
  )
}

function EntryDetail(props: { id: string }) {
  const { control } = useDashboard()
  const entry = useResource(
    () => control.request(props.id),
    [props.id],
    () => false,
  )
  const e = entry.data
  return (
    <section class="detail" aria-labelledby="detail-title" id="request-detail">
      <h2 id="detail-title" tabIndex={-1}>
        Request {props.id}
      </h2>
      <p>
        <a href="#/requests">Close</a>
      </p>
      {entry.error !== null && (
        <p role="alert" class="error">
          {entry.error}
        </p>
      )}
      {e !== undefined && (
        <>
          <p>
            <code>
              {e.method} {e.path}
            </code>{' '}
            → {e.status ?? 'no answer'} in {formatNumber(e.durationMs, 1)} ms{e.operationId === null ? '' : ` (${e.operationId})`}
            {e.error === undefined ? '' : `: ${e.error}`}
          </p>
          {violationCount(e) > 0 && (
            <>
              <h3>Spec violations</h3>
              <ul class="violations">
                {[
                  ...e.violations.request.map((v) => ['request', v] as const),
                  ...e.violations.response.map((v) => ['response', v] as const),
                ].map(([side, v], i) => (
                  <li key={i}>
                    {side}: <code>{v.location}</code> {v.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Request</h3>
          <Headers headers={e.requestHeaders} label="Request headers" />
          <pre class="body" data-part="request-body">
            {prettyBody(e.requestBody)}
          </pre>
          <h3>Response</h3>
          <Headers headers={e.responseHeaders} label="Response headers" />
          <pre class="body" data-part="response-body">
            {prettyBody(e.responseBody)}
          </pre>
        </>
      )}
    </section>
  )
}

function Headers(props: { headers: Record<string, string>; label: string }) {
  return (
    <details>
      <summary>{props.label}</summary>
      <table class="numbers">
        <caption>{props.label}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(props.headers).map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}
