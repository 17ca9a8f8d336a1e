// A stored request as a filter row: every column of `HeliconeRequestRecord` (specs/emulator.yaml) read
// through to the stored record, plus the tenant's `organization_id`. One small object of one shape per row,
// so a dashboard query over a million requests neither copies records nor makes each one a prototype
// (`Object.create(record)` turned every stored record into a slow prototype object).
import { loadSpec } from '../../openapi/load-specs.ts'
import { resolvePointer } from '../../openapi/json-pointer.ts'
import type { FilterRow } from './filters.ts'
import type { HeliconeRequestRecord } from './types.ts'

class RowView {
  readonly record: HeliconeRequestRecord
  readonly organization_id: string
  constructor(record: HeliconeRequestRecord, organizationId: string) {
    this.record = record
    this.organization_id = organizationId
  }
}

const schema = resolvePointer(loadSpec('emulator'), '/components/schemas/HeliconeRequestRecord') as { properties: Record<string, unknown> }
for (const column of Object.keys(schema.properties)) {
  Object.defineProperty(RowView.prototype, column, {
    get(this: RowView) {
      return (this.record as Record<string, unknown>)[column]
    },
    enumerable: true,
  })
}

/** The row of a stored request for filters, sorting and the request view. */
export function rowOf(record: HeliconeRequestRecord, organizationId: string): FilterRow {
  return new RowView(record, organizationId) as unknown as FilterRow
}
