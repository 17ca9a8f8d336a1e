// Coverage: which (operation, declared status) pairs of the served vendors' specs were answered, so a CI job
// can fail on error paths its suite never exercised (`llm-feedback-emulator coverage --min PERCENT`).
import type { components } from '../generated/emulator.ts'
import type { Operation, OperationTable } from '../openapi/operations.ts'
import type { VendorName } from '../vendors/vendor-name.ts'
import type { Exchange } from './exchange.ts'

export type CoverageReport = components['schemas']['CoverageReport']

type Counted = { vendor: VendorName; operation: Operation; byStatus: Map<string, number>; undeclared: Map<number, number> }

export class Coverage {
  #counted = new Map<Operation, Counted>()
  #since = Date.now()

  constructor(vendors: readonly { name: VendorName; operations: OperationTable }[]) {
    for (const vendor of vendors) {
      for (const operation of vendor.operations.operations) {
        this.#counted.set(operation, {
          vendor: vendor.name,
          operation,
          byStatus: new Map(operation.statuses.map((s) => [s, 0])),
          undeclared: new Map(),
        })
      }
    }
  }

  /** Counts one answer (the pipeline's observer): nothing when no operation matched or nothing was answered. */
  record(exchange: Exchange): void {
    if (exchange.operation === null || exchange.status === null) return
    const counted = this.#counted.get(exchange.operation)
    if (counted === undefined) return
    const declared = exchange.operation.declaredStatus(exchange.status)
    if (declared === null) counted.undeclared.set(exchange.status, (counted.undeclared.get(exchange.status) ?? 0) + 1)
    else counted.byStatus.set(declared, (counted.byStatus.get(declared) ?? 0) + 1)
  }

  get(): CoverageReport {
    let total = 0
    let exercised = 0
    const operations: CoverageReport['operations'] = []
    const undeclared: CoverageReport['undeclared'] = []
    for (const { vendor, operation, byStatus, undeclared: extra } of this.#counted.values()) {
      const statuses = [...byStatus].map(([status, count]) => ({ status, count }))
      total += statuses.length
      exercised += statuses.filter((s) => s.count > 0).length
      operations.push({
        vendor,
        operationId: operation.operationId,
        method: operation.method.toUpperCase(),
        path: operation.path,
        statuses,
      })
      for (const [status, count] of [...extra].sort((a, b) => a[0] - b[0])) {
        undeclared.push({ vendor, operationId: operation.operationId, status, count })
      }
    }
    const percent = total === 0 ? 100 : Math.floor((exercised / total) * 1000) / 10
    return {
      summary: `${exercised}/${total} operation-status pairs exercised (${percent}%)`,
      exercised,
      total,
      percent,
      since: new Date(this.#since).toISOString(),
      operations,
      undeclared,
    }
  }

  /** Starts counting again; returns the empty report. */
  reset(): CoverageReport {
    for (const counted of this.#counted.values()) {
      for (const status of counted.byStatus.keys()) counted.byStatus.set(status, 0)
      counted.undeclared.clear()
    }
    this.#since = Date.now()
    return this.get()
  }
}
