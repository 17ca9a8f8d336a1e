#!/usr/bin/env node
// `npm run mock:prism -- <vendor> [prism mock options]`: Prism's stateless mock of specs/<vendor>.yaml
// (answers from the spec's examples and schemas; nothing is stored). The quick alternative to the
// emulator when a test needs the shapes but no state. Extra options go to `prism mock` (e.g. -p 4010, -d).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const VENDORS = ['portkey', 'helicone', 'pulze']
const [vendor, ...rest] = process.argv.slice(2)
if (vendor === undefined || !VENDORS.includes(vendor)) {
  console.error(`usage: npm run mock:prism -- <${VENDORS.join('|')}> [prism mock options, e.g. -p 4010 --dynamic]`)
  process.exit(2)
}
const cli = fileURLToPath(new URL('../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url))
const spec = fileURLToPath(new URL(`../specs/${vendor}.yaml`, import.meta.url))
const args = [cli, 'mock', spec, ...(rest.some((a) => a === '-p' || a.startsWith('--port')) ? [] : ['-p', '4010']), ...rest]
const child = spawn(process.execPath, args, { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)))
