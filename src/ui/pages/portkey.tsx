// A Portkey tenant: the score distribution and the weighted feedback over time, as Portkey's analytics
// endpoints compute them for the chosen window and filters (called with the tenant's key), then the
// feedback and generations the tenant holds (from /__emulator/state).
import { useMemo, useState } from 'preact/hooks'
import type uPlot from 'uplot'
import { portkeyClient, type PortkeyAnalyticsQuery, type PortkeyFeedback, type PortkeyGeneration, type TenantSummary } from '../api.ts'
import { barOptions, Figure, timeOptions } from '../components/chart.tsx'
import { DataTable, type Column } from '../components/data-table.tsx'
import { DEFAULT_WINDOW, resolveWindow, WindowPicker, type WindowChoice } from '../components/window-picker.tsx'
import { useDashboard } from '../context.ts'
import { formatJson, formatNumber, formatTime } from '../format.ts'
import { useResource } from '../hooks.ts'
import { touches, type LiveEvent } from '../live.ts'
import { TenantHeader } from './tenant-header.tsx'

type Filters = { model: string; statusCode: string; metadataKey: string; metadataValue: string }
const NO_FILTERS: Filters = { model: '', statusCode: '', metadataKey: '', metadataValue: '' }

export function PortkeyPage(props: { summary: TenantSummary; mount: string }) {
  const { summary, mount } = props
  const { control } = useDashboard()
  const apiKey = summary.apiKey
  const [timeWindow, setTimeWindow] = useState<WindowChoice>(DEFAULT_WINDOW)
  const [filters, setFilters] = useState<Filters>(NO_FILTERS)
  const concerns = (event: LiveEvent) => event.type === 'ready' || touches(event.change, 'portkey', summary.tenant)

  const state = useResource(
    async () => {
      if (apiKey === null) return { generations: [], feedback: [] }
      const block = (await control.state({ apiKey })).portkey?.[0]
      return { generations: block?.generations ?? [], feedback: block?.feedback ?? [] }
    },
    [apiKey],
    concerns,
  )

  const analytics = useResource(
    async () => {
      if (apiKey === null || !summary.readable) return null
      const { from, to } = resolveWindow(timeWindow)
      const query: PortkeyAnalyticsQuery = { time_of_generation_min: from.toISOString(), time_of_generation_max: to.toISOString() }
      if (filters.model !== '') query.ai_org_model = filters.model
      if (filters.statusCode !== '') query.status_code = filters.statusCode
      if (filters.metadataKey !== '') query.metadata = JSON.stringify({ [filters.metadataKey]: filters.metadataValue })
      const client = portkeyClient(mount, apiKey)
      const [scores, weighted] = await Promise.all([client.scores(query), client.weighted(query)])
      return { query, scores, weighted }
    },
    [apiKey, mount, timeWindow, filters],
    concerns,
  )

  const generations = state.data?.generations ?? []
  const options = useMemo(() => filterOptions(generations), [generations])
  const a = analytics.data

  return (
    <>
      <TenantHeader vendor="portkey" summary={summary} />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Analytics window and filters">
        <WindowPicker value={timeWindow} onChange={setTimeWindow} />
        <fieldset>
          <legend>Filters (Portkey's analytics parameters)</legend>
          <label for="filter-model">Model</label>
          <select id="filter-model" value={filters.model} onChange={(e) => setFilters({ ...filters, model: e.currentTarget.value })}>
            <option value="">All models</option>
            {options.models.map((m) => (
              <option key={m} value={m}>
                {m.replace('__', ' / ')}
              </option>
            ))}
          </select>
          <label for="filter-status">Status code</label>
          <select
            id="filter-status"
            value={filters.statusCode}
            onChange={(e) => setFilters({ ...filters, statusCode: e.currentTarget.value })}
          >
            <option value="">Any status</option>
            {options.statusCodes.map((s) => (
              <option key={s} value={String(s)}>
                {s}
              </option>
            ))}
          </select>
          <label for="filter-metadata-key">Metadata key</label>
          <select
            id="filter-metadata-key"
            value={filters.metadataKey}
            onChange={(e) => setFilters({ ...filters, metadataKey: e.currentTarget.value, metadataValue: '' })}
          >
            <option value="">No metadata filter</option>
            {Object.keys(options.metadata).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <label for="filter-metadata-value">Metadata value</label>
          <select
            id="filter-metadata-value"
            value={filters.metadataValue}
            disabled={filters.metadataKey === ''}
            onChange={(e) => setFilters({ ...filters, metadataValue: e.currentTarget.value })}
          >
            <option value="">(empty)</option>
            {(options.metadata[filters.metadataKey] ?? []).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </fieldset>
      </form>
      {!summary.readable && <p role="alert">No key of this tenant has the analytics.view scope: its charts cannot be read.</p>}
      {analytics.error !== null && (
        <p role="alert" class="error">
          {analytics.error}
        </p>
      )}
      {a !== undefined && a !== null && (
        <div class="charts">
          <ScoreDistribution query={a.query} points={a.scores.data_points} total={a.scores.summary.total} />
          <WeightedOverTime query={a.query} points={a.weighted.data_points} average={a.weighted.summary.avg} />
        </div>
      )}
      {state.error !== null && (
        <p role="alert" class="error">
          {state.error}
        </p>
      )}
      <section aria-labelledby="feedback-title">
        <h2 id="feedback-title">Feedback</h2>
        <DataTable
          id="portkey-feedback"
          label="the feedback"
          caption={`${state.data?.feedback.length ?? 0} feedback records (every one the tenant holds; the filters apply to the charts)`}
          columns={FEEDBACK_COLUMNS}
          rows={state.data?.feedback ?? []}
          rowKey={(f) => f.id}
          initialSort={{ key: 'time', descending: true }}
        />
      </section>
      <section aria-labelledby="generations-title">
        <h2 id="generations-title">Generations</h2>
        <DataTable
          id="portkey-generations"
          label="the generations"
          caption={`${generations.length} generations (logged requests)`}
          columns={GENERATION_COLUMNS}
          rows={generations}
          rowKey={(g) => g.id}
          initialSort={{ key: 'time', descending: true }}
        />
      </section>
    </>
  )
}

function filterOptions(generations: readonly PortkeyGeneration[]) {
  const models = new Set<string>()
  const statusCodes = new Set<number>()
  const metadata: Record<string, Set<string>> = Object.create(null) as Record<string, Set<string>>
  for (const g of generations) {
    models.add(`${g.provider}__${g.model}`)
    statusCodes.add(g.status_code)
    for (const [k, v] of Object.entries(g.metadata)) (metadata[k] ??= new Set()).add(v)
  }
  return {
    models: [...models].sort(),
    statusCodes: [...statusCodes].sort((x, y) => x - y),
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, [...v].sort()])) as Record<string, string[]>,
  }
}

function windowFacts(query: PortkeyAnalyticsQuery): Record<string, string> {
  return { from: query.time_of_generation_min, to: query.time_of_generation_max, query: JSON.stringify(query) }
}

function ScoreDistribution(props: { query: PortkeyAnalyticsQuery; points: { score: number; total: number }[]; total: number }) {
  const data = useMemo<uPlot.AlignedData>(() => [props.points.map((p) => p.score), props.points.map((p) => p.total)], [props.points])
  const options = useMemo(() => barOptions('feedback'), [])
  return (
    <Figure
      id="score-distribution"
      title="Score distribution"
      description={`Feedback per value, from GET /v1/analytics/graphs/feedbacks/scores: ${props.total} in the window.`}
      facts={windowFacts(props.query)}
      options={options}
      data={data}
    >
      <table class="numbers">
        <caption>Score distribution, as numbers</caption>
        <thead>
          <tr>
            <th scope="col">Score</th>
            <th scope="col">Feedback</th>
          </tr>
        </thead>
        <tbody>
          {props.points.length === 0 ? (
            <tr>
              <td colSpan={2}>No feedback in this window.</td>
            </tr>
          ) : (
            props.points.map((p) => (
              <tr key={p.score}>
                <th scope="row">{p.score}</th>
                <td class="numeric">{p.total}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Figure>
  )
}

function WeightedOverTime(props: { query: PortkeyAnalyticsQuery; points: { timestamp: string; avg: number }[]; average: number }) {
  const data = useMemo<uPlot.AlignedData>(
    () => [props.points.map((p) => Date.parse(p.timestamp) / 1000), props.points.map((p) => p.avg)],
    [props.points],
  )
  const options = useMemo(() => timeOptions(['weighted feedback'], 'average value × weight'), [])
  return (
    <Figure
      id="weighted-feedback"
      title="Weighted feedback over time"
      description={`Average value × weight per bucket (UTC buckets, drawn in your time zone), from GET /v1/analytics/graphs/feedbacks/weighted; average ${formatNumber(props.average)}.`}
      facts={windowFacts(props.query)}
      options={options}
      data={data}
    >
      <details>
        <summary>Weighted feedback over time, as numbers</summary>
        <table class="numbers">
          <caption>Average weighted feedback per bucket</caption>
          <thead>
            <tr>
              <th scope="col">Bucket start</th>
              <th scope="col">Average</th>
            </tr>
          </thead>
          <tbody>
            {props.points.map((p) => (
              <tr key={p.timestamp}>
                <th scope="row">
                  <time dateTime={p.timestamp}>{formatTime(p.timestamp)}</time>
                </th>
                <td class="numeric">{formatNumber(p.avg)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Figure>
  )
}

const FEEDBACK_COLUMNS: Column<PortkeyFeedback>[] = [
  {
    key: 'time',
    label: 'Time',
    sortValue: (f) => f.created_at,
    render: (f) => <time dateTime={f.created_at}>{formatTime(f.created_at)}</time>,
  },
  { key: 'trace', label: 'Trace id', sortValue: (f) => f.trace_id, render: (f) => <code>{f.trace_id}</code> },
  { key: 'value', label: 'Value', numeric: true, sortValue: (f) => f.value, render: (f) => f.value },
  { key: 'weight', label: 'Weight', numeric: true, sortValue: (f) => f.weight, render: (f) => formatNumber(f.weight) },
  { key: 'text', label: 'Text', sortValue: (f) => f.text ?? '', render: (f) => f.text ?? '—' },
  { key: 'metadata', label: 'Metadata', render: (f) => <code>{formatJson(f.metadata)}</code> },
  { key: 'updated', label: 'Updated', sortValue: (f) => f.updated_at ?? null, render: (f) => formatTime(f.updated_at ?? null) },
]

const GENERATION_COLUMNS: Column<PortkeyGeneration>[] = [
  {
    key: 'time',
    label: 'Time',
    sortValue: (g) => g.created_at,
    render: (g) => <time dateTime={g.created_at}>{formatTime(g.created_at)}</time>,
  },
  { key: 'trace', label: 'Trace id', sortValue: (g) => g.trace_id, render: (g) => <code>{g.trace_id}</code> },
  { key: 'model', label: 'Model', sortValue: (g) => `${g.provider}/${g.model}`, render: (g) => `${g.provider} / ${g.model}` },
  { key: 'status', label: 'Status', numeric: true, sortValue: (g) => g.status_code, render: (g) => g.status_code },
  { key: 'tokens', label: 'Tokens', numeric: true, sortValue: (g) => g.total_tokens, render: (g) => g.total_tokens },
  { key: 'cost', label: 'Cost (¢)', numeric: true, sortValue: (g) => g.cost, render: (g) => formatNumber(g.cost) },
  { key: 'latency', label: 'Latency (ms)', numeric: true, sortValue: (g) => g.latency_ms ?? null, render: (g) => g.latency_ms ?? '—' },
  { key: 'metadata', label: 'Metadata', render: (g) => <code>{formatJson(g.metadata)}</code> },
]
