// The time window of a tenant page: a preset (the last hour … the last 90 days) or two local date-times.
import { useId } from 'preact/hooks'

export type WindowChoice = { preset: Preset; from: string; to: string }
type Preset = '1h' | '24h' | '7d' | '30d' | '90d' | 'custom'

const PRESETS: readonly { value: Preset; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: '90d', label: 'Last 90 days', ms: 90 * 86_400_000 },
]

export const DEFAULT_WINDOW: WindowChoice = { preset: '30d', from: '', to: '' }

/**
 * The window as instants. A preset ends at the next whole second (Helicone drops the milliseconds of `end`, so
 * a record written this second is only counted when `end` is past it), and is resolved anew at each refresh.
 */
export function resolveWindow(choice: WindowChoice, now = Date.now()): { from: Date; to: Date } {
  if (choice.preset === 'custom') {
    const from = new Date(choice.from)
    const to = new Date(choice.to)
    if (!Number.isNaN(from.getTime()) && !Number.isNaN(to.getTime()) && from <= to) return { from, to }
  }
  const end = Math.floor(now / 1000) * 1000 + 1000
  const span = PRESETS.find((p) => p.value === choice.preset)?.ms ?? 30 * 86_400_000
  return { from: new Date(end - span), to: new Date(end) }
}

export function WindowPicker(props: { value: WindowChoice; onChange: (value: WindowChoice) => void }) {
  const id = useId()
  const { value, onChange } = props
  return (
    <fieldset class="window">
      <legend>Time window</legend>
      <label for={`${id}-preset`}>Window</label>
      <select
        id={`${id}-preset`}
        name="window"
        value={value.preset}
        onChange={(e) => onChange({ ...value, preset: e.currentTarget.value as Preset })}
      >
        {PRESETS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {value.preset === 'custom' && (
        <>
          <label for={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            step="1"
            value={value.from}
            onChange={(e) => onChange({ ...value, from: e.currentTarget.value })}
          />
          <label for={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="datetime-local"
            step="1"
            value={value.to}
            onChange={(e) => onChange({ ...value, to: e.currentTarget.value })}
          />
        </>
      )}
    </fieldset>
  )
}
