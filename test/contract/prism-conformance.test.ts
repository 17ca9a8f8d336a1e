import { afterAll, expect, test } from 'vitest'
import { formatReport, runConformance, type ConformanceResult } from '../../scripts/contract/conformance.ts'
import { stopAllPrismProxies } from '../../scripts/contract/prism.ts'

// One emulator, two Prism proxies per document (ours and the vendors' own), the whole traffic corpus.
// Prism's startup dominates: about 20-40 s on 2 cores.
let result: ConformanceResult | undefined

afterAll(async () => {
  await stopAllPrismProxies()
})

test("Prism finds no unexplained violation in the traffic corpus (own specs and the vendors' documents)", async () => {
  result = await runConformance()
  const report = formatReport(result)
  console.log(report)
  expect(result.targets.length).toBeGreaterThan(0)
  expect(result.unexplained, report).toEqual([])
}, 180_000)
