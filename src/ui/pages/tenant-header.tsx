// The top of a tenant page: which vendor and tenant, the key used, and the tenant's actions.
import type { TenantSummary, VendorName } from '../api.ts'
import { TenantActions } from '../components/tenant-actions.tsx'
import { formatTime } from '../format.ts'
import { shownKey, tenantLabel, VENDOR_TITLES } from '../tenant.ts'

export function TenantHeader(props: { vendor: VendorName; summary: TenantSummary }) {
  const { vendor, summary } = props
  return (
    <header class="tenant-header">
      <h1>
        {VENDOR_TITLES[vendor]} · <span class="tenant-name">{tenantLabel(summary)}</span>
      </h1>
      <p class="hint">
        {summary.apiKey === null ? (
          'No listed key reaches this tenant.'
        ) : (
          <>
            Read with the key <code>{shownKey(summary.apiKey, summary.demo)}</code>.{' '}
          </>
        )}
        Last write: {formatTime(summary.lastWriteAt)}.
      </p>
      <TenantActions vendor={vendor} summary={summary} />
    </header>
  )
}
