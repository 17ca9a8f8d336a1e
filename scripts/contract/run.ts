// `npm run contract [-- portkey helicone --own-only]`: the Prism conformance run of scripts/contract/conformance.ts, from the command line.
import { parseArgs } from 'node:util'
import { formatReport, runConformance } from './conformance.ts'
import { isVendorName, VENDOR_NAMES, type VendorName } from '../../src/vendors/vendor-name.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'own-only': { type: 'boolean' }, quiet: { type: 'boolean' } },
})
const vendors = positionals.filter(isVendorName)
const unknown = positionals.filter((p) => !isVendorName(p))
if (unknown.length > 0) {
  console.error(`usage: npm run contract -- [${VENDOR_NAMES.join('|')}]... [--own-only] [--quiet]  (unknown: ${unknown.join(', ')})`)
  process.exit(2)
}
const result = await runConformance({
  ...(vendors.length > 0 ? { vendors: vendors as VendorName[] } : {}),
  ...(values['own-only'] === true ? { ownOnly: true } : {}),
  ...(values.quiet === true ? {} : { log: (line: string) => console.log(line) }),
})
console.log(formatReport(result))
process.exit(result.unexplained.length === 0 ? 0 : 1)
