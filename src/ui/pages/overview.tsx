// Overview: the base URLs and dev keys (as the banner prints them), every vendor's tenants with their record
// counts and last write, and seeding from a fixture file.
import { useState } from 'preact/hooks'
import { describeError, type FixtureDocument, type TenantSummary, type VendorOverview } from '../api.ts'
import { DataTable, type Column } from '../components/data-table.tsx'
import { TenantActions } from '../components/tenant-actions.tsx'
import { useDashboard } from '../context.ts'
import { formatAgo, formatTime } from '../format.ts'
import { shownKey, tenantHref, tenantLabel, VENDOR_TITLES } from '../tenant.ts'

/** The count columns of each vendor, in the order of `/tenants`. */
const COUNT_LABELS: Readonly<Record<string, string>> = {
  generations: 'Generations',
  feedback: 'Feedback',
  requests: 'Requests',
  scored: 'Scored requests',
  logs: 'Logs',
  rated: 'Rated logs',
}

export function OverviewPage() {
  const { overview } = useDashboard()
  const data = overview.data
  if (data === undefined) return <p aria-busy="true">{overview.error ?? 'Loading…'}</p>
  return (
    <>
      <h1>Overview</h1>
      <Endpoints vendors={data.vendors} />
      {data.vendors.map((vendor) => (
        <VendorTenants key={vendor.vendor} vendor={vendor} />
      ))}
      <SeedForm />
    </>
  )
}

function Endpoints(props: { vendors: readonly VendorOverview[] }) {
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Base URLs and dev keys</h2>
      <div class="table-scroll">
        <table id="endpoints">
          <caption>Point each vendor's SDK at its base URL, with one of its keys.</caption>
          <thead>
            <tr>
              <th scope="col">Vendor</th>
              <th scope="col">SDK base URL</th>
              <th scope="col">Keys</th>
            </tr>
          </thead>
          <tbody>
            {props.vendors.map((v) => (
              <tr key={v.vendor} data-vendor={v.vendor}>
                <th scope="row">{VENDOR_TITLES[v.vendor]}</th>
                <td>
                  <code>{`${location.origin}${v.basePath}`}</code>
                </td>
                <td>
                  {v.keys.length === 0
                    ? 'any key'
                    : v.keys.map((k, i) => [i > 0 ? ', ' : '', <code key={k.key}>{shownKey(k.key, k.demo)}</code>])}
                  {v.anyKey && v.keys.length > 0 ? '; any other key is a new, empty tenant' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function VendorTenants(props: { vendor: VendorOverview }) {
  const { vendor } = props
  const countKeys = [...new Set(vendor.tenants.flatMap((t) => Object.keys(t.counts)))]
  const columns: Column<TenantSummary>[] = [
    {
      key: 'tenant',
      label: 'Tenant',
      sortValue: (t) => t.tenant,
      render: (t) => <a href={tenantHref(vendor.vendor, t)}>{tenantLabel(t)}</a>,
    },
    {
      key: 'key',
      label: 'Key',
      render: (t) => (t.apiKey === null ? '—' : <code>{shownKey(t.apiKey, t.demo)}</code>),
    },
    ...countKeys.map((name): Column<TenantSummary> => ({
      key: `count-${name}`,
      label: COUNT_LABELS[name] ?? name,
      numeric: true,
      sortValue: (t) => t.counts[name] ?? 0,
      render: (t) => <span data-count={name}>{t.counts[name] ?? 0}</span>,
    })),
    {
      key: 'last-write',
      label: 'Last write',
      sortValue: (t) => t.lastWriteAt,
      render: (t) =>
        t.lastWriteAt === null ? (
          '—'
        ) : (
          <time dateTime={t.lastWriteAt} title={formatAgo(t.lastWriteAt)}>
            {formatTime(t.lastWriteAt)}
          </time>
        ),
    },
    { key: 'actions', label: 'Actions', render: (t) => <TenantActions vendor={vendor.vendor} summary={t} compact /> },
  ]
  return (
    <section aria-labelledby={`${vendor.vendor}-tenants-title`}>
      <h2 id={`${vendor.vendor}-tenants-title`}>{VENDOR_TITLES[vendor.vendor]} tenants</h2>
      <DataTable
        id={`${vendor.vendor}-tenants`}
        label={`the ${VENDOR_TITLES[vendor.vendor]} tenants`}
        caption={`${vendor.tenants.length} tenant${vendor.tenants.length === 1 ? '' : 's'} with records`}
        columns={columns}
        rows={vendor.tenants}
        rowKey={(t) => t.ref}
        pageSize={10}
        empty="No tenant has records yet: the first write with a key creates its tenant."
      />
    </section>
  )
}

function SeedForm() {
  const { control, overview } = useDashboard()
  const [file, setFile] = useState<File | null>(null)
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)
  const seed = async (event: Event) => {
    event.preventDefault()
    if (file === null) return setMessage({ text: 'Choose a fixture file first.', error: true })
    let doc: FixtureDocument
    try {
      doc = JSON.parse(await file.text()) as FixtureDocument
    } catch (error) {
      return setMessage({ text: `${file.name} is not JSON: ${describeError(error)}`, error: true })
    }
    try {
      const result = await control.seed(doc)
      const seeded = Object.entries(result.tenants).map(
        ([vendor, n]) => `${n} ${VENDOR_TITLES[vendor as keyof typeof VENDOR_TITLES] ?? vendor}`,
      )
      setMessage({ text: `Seeded ${seeded.join(', ') || 'nothing'} tenant(s) from ${file.name}.`, error: false })
      overview.reload()
    } catch (error) {
      setMessage({ text: describeError(error), error: true })
    }
  }
  return (
    <section aria-labelledby="seed-title">
      <h2 id="seed-title">Seed from a fixture file</h2>
      <form class="seed" onSubmit={seed}>
        <label for="seed-file">Fixture document (JSON, the format of GET /__emulator/state)</label>
        <input id="seed-file" type="file" accept="application/json,.json" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        <button type="submit">Seed</button>
        {message !== null && (
          <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'ok'}>
            {message.text}
          </p>
        )}
      </form>
    </section>
  )
}
