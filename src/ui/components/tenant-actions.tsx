// A tenant's actions: download its state as a fixture document, reset it to the startup fixtures.
import { useState } from 'preact/hooks'
import { describeError, type FixtureDocument, type TenantSummary, type VendorName } from '../api.ts'
import { useDashboard } from '../context.ts'
import { VENDOR_TITLES, tenantLabel } from '../tenant.ts'

/** Keeps only one vendor's block: a key may reach tenants of several vendors. */
function onlyVendor(doc: FixtureDocument, vendor: VendorName): FixtureDocument {
  const blocks = doc[vendor]
  return blocks === undefined ? {} : ({ [vendor]: blocks } as FixtureDocument)
}

function saveJson(name: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function TenantActions(props: { vendor: VendorName; summary: TenantSummary; compact?: boolean }) {
  const { control, overview } = useDashboard()
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)
  const { vendor, summary } = props
  const label = tenantLabel(summary)
  const apiKey = summary.apiKey
  if (apiKey === null) return <span class="hint">no key of this tenant is listed</span>

  const download = async () => {
    try {
      const doc = onlyVendor(await control.state({ apiKey }), vendor)
      saveJson(`${vendor}-${summary.tenantIsKey ? 'tenant' : summary.tenant.replace(/[^\w.-]+/g, '_')}-state.json`, doc)
      setMessage({ text: 'Downloaded.', error: false })
    } catch (error) {
      setMessage({ text: describeError(error), error: true })
    }
  }

  const reset = async () => {
    const sure = window.confirm(
      `Reset the ${VENDOR_TITLES[vendor]} tenant ${label}? Its records go back to the startup fixtures (or to nothing): what was written since is lost.`,
    )
    if (!sure) return
    try {
      const result = await control.reset({ apiKey, vendor })
      setMessage({ text: `Reset: ${result.removed ?? 0} dropped, ${result.restored ?? 0} loaded back.`, error: false })
      overview.reload()
    } catch (error) {
      setMessage({ text: describeError(error), error: true })
    }
  }

  return (
    <div class="actions">
      <button type="button" onClick={download} aria-label={props.compact === true ? `Download the state of ${label}` : undefined}>
        Download state
      </button>
      <button type="button" class="danger" onClick={reset} aria-label={props.compact === true ? `Reset ${label}` : undefined}>
        Reset tenant
      </button>
      {message !== null && (
        <span role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'ok'}>
          {message.text}
        </span>
      )}
    </div>
  )
}
