// A Pulze app: its logs as `POST /v1/logs` lists them for the window (a page at a time), with rating,
// feedback and privacy level. Texts are shown as the API answers them: privacy level 2 logs come masked
// (null), level 3 logs are never listed.
import { useState } from 'preact/hooks'
import { pulzeClient, type PulzeLog, type TenantSummary } from '../api.ts'
import { Pager } from '../components/data-table.tsx'
import { DEFAULT_WINDOW, resolveWindow, WindowPicker, type WindowChoice } from '../components/window-picker.tsx'
import { formatNumber, formatTime } from '../format.ts'
import { useResource } from '../hooks.ts'
import { touches, type LiveEvent } from '../live.ts'
import { TenantHeader } from './tenant-header.tsx'

const PAGE_SIZE = 20

export function PulzePage(props: { summary: TenantSummary; mount: string }) {
  const { summary, mount } = props
  const apiKey = summary.apiKey
  const [timeWindow, setTimeWindow] = useState<WindowChoice>(DEFAULT_WINDOW)
  const [page, setPage] = useState(0)
  const concerns = (event: LiveEvent) => event.type === 'ready' || touches(event.change, 'pulze', summary.tenant)
  const logs = useResource(
    async () => {
      if (apiKey === null) return null
      const { from, to } = resolveWindow(timeWindow)
      return pulzeClient(mount, apiKey).logs(page + 1, PAGE_SIZE, from.toISOString(), to.toISOString())
    },
    [apiKey, mount, timeWindow, page],
    concerns,
  )
  const result = logs.data
  return (
    <>
      <TenantHeader vendor="pulze" summary={summary} />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Logs window">
        <WindowPicker
          value={timeWindow}
          onChange={(value) => {
            setTimeWindow(value)
            setPage(0)
          }}
        />
      </form>
      {logs.error !== null && (
        <p role="alert" class="error">
          {logs.error}
        </p>
      )}
      <section aria-labelledby="logs-title">
        <h2 id="logs-title">Logs</h2>
        <div class="table-scroll">
          <table id="pulze-logs">
            <caption>
              Logs of the window, newest first (POST /v1/logs): {result?.total ?? 0} in all. Privacy level 2 texts are masked by the API;
              level 3 logs are not listed.
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Log id</th>
                <th scope="col">Model</th>
                <th scope="col">Prompt</th>
                <th scope="col">Response</th>
                <th scope="col">Rating</th>
                <th scope="col">Feedback</th>
                <th scope="col" class="numeric">
                  Privacy level
                </th>
                <th scope="col" class="numeric">
                  Tokens
                </th>
              </tr>
            </thead>
            <tbody>
              {result === undefined || result === null || result.items.length === 0 ? (
                <tr>
                  <td colSpan={9} class="empty">
                    No logs in this window.
                  </td>
                </tr>
              ) : (
                result.items.map((log) => <LogRow key={log.id} log={log} />)
              )}
            </tbody>
          </table>
        </div>
        <Pager
          label="the logs"
          page={page}
          hasNext={result !== undefined && result !== null && page + 1 < result.pages}
          onPage={setPage}
          summary={`Page ${page + 1} of ${Math.max(1, result?.pages ?? 1)}`}
        />
      </section>
    </>
  )
}

/** A text as the API gave it: null on a privacy level 2 log is the API's mask. */
function Text(props: { value: string | null | undefined; masked: boolean }) {
  if (props.value === null || props.value === undefined)
    return <span class="masked">{props.masked ? 'masked (privacy level 2)' : '—'}</span>
  return (
    <span class="clip" title={props.value}>
      {props.value}
    </span>
  )
}

function LogRow(props: { log: PulzeLog }) {
  const log = props.log
  const masked = log.privacy_level === 2
  const rating = log.good_answer === true ? 'good' : log.good_answer === false ? 'bad' : 'none'
  return (
    <tr data-key={log.id}>
      <td>
        <time dateTime={new Date(log.timestamp).toISOString()}>{formatTime(log.timestamp)}</time>
      </td>
      <td>
        <code>{log.id}</code>
      </td>
      <td>{log.model ?? '—'}</td>
      <td data-column="prompt">
        <Text value={log.prompt} masked={masked} />
      </td>
      <td data-column="response">
        <Text value={log.response_text} masked={masked} />
      </td>
      <td data-column="rating">{rating}</td>
      <td data-column="feedback">{log.feedback === null || log.feedback === '' ? '—' : log.feedback}</td>
      <td class="numeric" data-column="privacy">
        {log.privacy_level}
      </td>
      <td class="numeric">{formatNumber(log.total_tokens)}</td>
    </tr>
  )
}
