// How values are shown: keys masked, times in the browser's zone, numbers compact.

/**
 * An API key as the dashboard shows it: a prefix and the last 4 characters (fewer of each for a short key, so
 * that at least half of it stays hidden). The bundled demo keys are shown whole (the caller decides).
 */
export function maskKey(key: string): string {
  const shown = Math.min(4, Math.floor(key.length / 4))
  return shown === 0 ? '…' : `${key.slice(0, shown)}…${key.slice(-shown)}`
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** A time (ISO text or epoch ms) in the browser's time zone; `—` when absent or unreadable. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? String(value) : DATE_TIME.format(date)
}

/** `3 min ago`, `2 h ago`, … (for last-write columns). */
export function formatAgo(iso: string | null, now = Date.now()): string {
  if (iso === null) return ''
  const seconds = Math.round((now - Date.parse(iso)) / 1000)
  if (!Number.isFinite(seconds)) return ''
  if (seconds < 0) return 'in the future'
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86_400)} d ago`
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—'
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(digits)))
}

/** A value as compact JSON (metadata cells); `—` for an empty object. */
export function formatJson(value: unknown): string {
  if (value === undefined || value === null) return '—'
  if (typeof value === 'object' && Object.keys(value).length === 0) return '—'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Pretty JSON for the request details (a string body is shown as it is). */
export function prettyBody(value: unknown): string {
  if (value === undefined) return '(none)'
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}
