// A Helicone organization: scores over time (one line per score key) as `POST /v1/dashboard/scores/query`
// answers for the window, the increment and this browser's time zone offset; then its requests with their
// scores and feedback (`POST /v1/request/query`, a page at a time).
import { useMemo, useState } from 'preact/hooks'
import type uPlot from 'uplot'
import {
  heliconeClient,
  type DataOverTimeRequest,
  type HeliconeRequest,
  type ScoreOverTimeRow,
  type TenantSummary,
  type TimeIncrement,
} from '../api.ts'
import { Figure, timeOptions } from '../components/chart.tsx'
import { Pager } from '../components/data-table.tsx'
import { DEFAULT_WINDOW, resolveWindow, WindowPicker, type WindowChoice } from '../components/window-picker.tsx'
import { formatNumber, formatTime } from '../format.ts'
import { useResource } from '../hooks.ts'
import { touches, type LiveEvent } from '../live.ts'
import { TenantHeader } from './tenant-header.tsx'

const INCREMENTS: readonly { value: TimeIncrement; label: string }[] = [
  { value: 'min', label: 'Minute' },
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
]
/** Helicone stores a rating as this score (1 good, 0 bad). */
const FEEDBACK_SCORE = 'helicone-score-feedback'
const PAGE_SIZE = 20

export function HeliconePage(props: { summary: TenantSummary; mount: string }) {
  const { summary, mount } = props
  const apiKey = summary.apiKey
  const [timeWindow, setTimeWindow] = useState<WindowChoice>(DEFAULT_WINDOW)
  const [increment, setIncrement] = useState<TimeIncrement>('day')
  const [page, setPage] = useState(0)
  const concerns = (event: LiveEvent) => event.type === 'ready' || touches(event.change, 'helicone', summary.tenant)

  const scores = useResource(
    async () => {
      if (apiKey === null || !summary.readable) return null
      const { from, to } = resolveWindow(timeWindow)
      // Date.getTimezoneOffset()'s sign, as Helicone's own dashboard sends it (UTC−5 → 300).
      const request: DataOverTimeRequest = {
        timeFilter: { start: from.toISOString(), end: to.toISOString() },
        userFilter: 'all',
        dbIncrement: increment,
        timeZoneDifference: new Date().getTimezoneOffset(),
      }
      return { request, rows: await heliconeClient(mount, apiKey).scoresOverTime(request) }
    },
    [apiKey, mount, timeWindow, increment],
    concerns,
  )

  const requests = useResource(
    async () => {
      if (apiKey === null || !summary.readable) return []
      return heliconeClient(mount, apiKey).requests(page * PAGE_SIZE, PAGE_SIZE + 1)
    },
    [apiKey, mount, page],
    concerns,
  )
  const rows = requests.data ?? []

  return (
    <>
      <TenantHeader vendor="helicone" summary={summary} />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Scores window and increment">
        <WindowPicker value={timeWindow} onChange={setTimeWindow} />
        <fieldset>
          <legend>Buckets</legend>
          <label for="increment">Increment</label>
          <select id="increment" value={increment} onChange={(e) => setIncrement(e.currentTarget.value as TimeIncrement)}>
            {INCREMENTS.map((i) => (
              <option key={i.value} value={i.value}>
                {i.label}
              </option>
            ))}
          </select>
        </fieldset>
      </form>
      {!summary.readable && (
        <p role="alert">No key of this organization may write (`w`): Helicone's queries are POSTs, so they cannot be read.</p>
      )}
      {scores.error !== null && (
        <p role="alert" class="error">
          {scores.error}
        </p>
      )}
      {scores.data !== undefined && scores.data !== null && <ScoresOverTime request={scores.data.request} rows={scores.data.rows} />}
      <section aria-labelledby="requests-title">
        <h2 id="requests-title">Requests</h2>
        {requests.error !== null && (
          <p role="alert" class="error">
            {requests.error}
          </p>
        )}
        <div class="table-scroll">
          <table id="helicone-requests">
            <caption>Requests with their scores and feedback, newest first (POST /v1/request/query)</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request id</th>
                <th scope="col">Model</th>
                <th scope="col" class="numeric">
                  Status
                </th>
                <th scope="col" class="numeric">
                  Latency (ms)
                </th>
                <th scope="col">Scores</th>
                <th scope="col">Feedback</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={7} class="empty">
                    No requests.
                  </td>
                </tr>
              ) : (
                rows.slice(0, PAGE_SIZE).map((r) => <RequestRow key={r.request_id} request={r} />)
              )}
            </tbody>
          </table>
        </div>
        <Pager
          label="the requests"
          page={page}
          hasNext={rows.length > PAGE_SIZE}
          onPage={setPage}
          summary={`Page ${page + 1} · requests ${page * PAGE_SIZE + 1}–${page * PAGE_SIZE + Math.min(rows.length, PAGE_SIZE)}`}
        />
      </section>
    </>
  )
}

function RequestRow(props: { request: HeliconeRequest }) {
  const r = props.request
  const scores = Object.entries(r.scores ?? {}).filter(([k]) => k !== FEEDBACK_SCORE)
  const rating = r.feedback_rating ?? (r.scores?.[FEEDBACK_SCORE] === undefined ? null : r.scores[FEEDBACK_SCORE] === 1)
  return (
    <tr data-key={r.request_id}>
      <td>
        <time dateTime={r.request_created_at}>{formatTime(r.request_created_at)}</time>
      </td>
      <td>
        <code>{r.request_id}</code>
      </td>
      <td>{r.model}</td>
      <td class="numeric">{r.response_status}</td>
      <td class="numeric">{r.delay_ms ?? '—'}</td>
      <td>{scores.length === 0 ? '—' : scores.map(([k, v]) => `${k}: ${formatNumber(v)}`).join(', ')}</td>
      <td data-column="feedback">{rating === null ? '—' : rating ? 'good' : 'bad'}</td>
    </tr>
  )
}

/** Scores Helicone stores as 0/1: boolean scores and the rating. */
function isShareKey(key: string): boolean {
  return key.endsWith('-hcone-bool') || key === FEEDBACK_SCORE
}

/** One line per score key; the filler rows (`score_key: ""`) only add buckets. */
function seriesOf(rows: readonly ScoreOverTimeRow[]): { buckets: string[]; keys: string[]; values: Map<string, Map<string, number>> } {
  const buckets = [...new Set(rows.map((r) => r.created_at_trunc))].sort((a, b) => Date.parse(a) - Date.parse(b))
  const values = new Map<string, Map<string, number>>()
  for (const row of rows) {
    if (row.score_key === '') continue
    let byBucket = values.get(row.score_key)
    if (byBucket === undefined) values.set(row.score_key, (byBucket = new Map()))
    byBucket.set(row.created_at_trunc, row.score_sum)
  }
  return { buckets, keys: [...values.keys()].sort(), values }
}

function ScoresOverTime(props: { request: DataOverTimeRequest; rows: ScoreOverTimeRow[] }) {
  const { buckets, keys, values } = useMemo(() => seriesOf(props.rows), [props.rows])
  const data = useMemo<uPlot.AlignedData>(
    () => [buckets.map((b) => Date.parse(b) / 1000), ...keys.map((k) => buckets.map((b) => values.get(k)?.get(b) ?? null))],
    [buckets, keys, values],
  )
  // Booleans and ratings (stored 0/1) average to a share: drawn against a 0–1 axis on the right.
  const options = useMemo(() => timeOptions(keys, 'average score', { isShare: isShareKey, label: 'share true / good' }), [keys])
  return (
    <Figure
      id="scores-over-time"
      title="Scores over time"
      description={`The average of each score per ${props.request.dbIncrement}, in buckets of your time zone (offset ${props.request.timeZoneDifference} min), from POST /v1/dashboard/scores/query. Booleans average to the share that is true; feedback is ${FEEDBACK_SCORE}.`}
      facts={{
        from: props.request.timeFilter.start,
        to: props.request.timeFilter.end,
        increment: props.request.dbIncrement,
        'tz-offset': String(props.request.timeZoneDifference),
        request: JSON.stringify(props.request),
      }}
      options={options}
      data={data}
    >
      <details>
        <summary>Scores over time, as numbers</summary>
        <table class="numbers">
          <caption>Average score per bucket and key (— : no score in that bucket)</caption>
          <thead>
            <tr>
              <th scope="col">Bucket start</th>
              {keys.map((k) => (
                <th scope="col" key={k}>
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b}>
                <th scope="row">
                  <time dateTime={b}>{formatTime(b)}</time>
                </th>
                {keys.map((k) => (
                  <td class="numeric" key={k}>
                    {formatNumber(values.get(k)?.get(b))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Figure>
  )
}
