// Where the time goes in a `node --cpu-prof` profile: the functions with the most self time and the most
// total (inclusive) time, and self time per file. For the profiles `npm run bench -- --cpu-prof` writes.
// Usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [--top 15]
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'

type CallFrame = { functionName: string; url: string; lineNumber: number }
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] }
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

// Piped into `head`: stop quietly when the reader is gone.
process.stdout.on('error', () => process.exit(0))

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' } } })
const top = Number(values.top)
if (positionals.length !== 1) {
  process.stderr.write('usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [--top 15]\n')
  process.exit(2)
}

const profile = JSON.parse(await readFile(positionals[0]!, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

/** `~/ajv/dist/…` for a package, `dist/store/…` for the emulator, `bench/…` for the bench's own files. */
const shortUrl = (url: string) => {
  const path = url.replace(/^file:\/\//, '')
  const inPackage = /\/node_modules\/(.*)$/.exec(path)
  return inPackage !== null ? `~/${inPackage[1]}` : path.replace(/^.*?\/(dist|bench|src)\//, '$1/')
}
const keyOf = (frame: CallFrame) =>
  frame.url === ''
    ? frame.functionName || '(anonymous)'
    : `${frame.functionName || '(anonymous)'}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
const fileOf = (frame: CallFrame) => (frame.url === '' ? `(native) ${frame.functionName}` : shortUrl(frame.url))

const self = new Map<string, number>()
const total = new Map<string, number>()
const perFile = new Map<string, number>()
let sampled = 0
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0
  sampled += us
  const node = byId.get(id)!
  self.set(keyOf(node.callFrame), (self.get(keyOf(node.callFrame)) ?? 0) + us)
  perFile.set(fileOf(node.callFrame), (perFile.get(fileOf(node.callFrame)) ?? 0) + us)
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = keyOf(byId.get(at)!.callFrame)
    if (seen.has(key)) continue
    seen.add(key)
    total.set(key, (total.get(key) ?? 0) + us)
  }
})

const IDLE = new Set(['(root)', '(idle)', '(program)'])
const print = (title: string, map: Map<string, number>) => {
  const rows = [...map]
    .filter(([key]) => !IDLE.has(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
  process.stdout.write(`\n${title}\n`)
  for (const [key, us] of rows)
    process.stdout.write(`  ${(us / 1000).toFixed(0).padStart(8)} ms  ${((100 * us) / sampled).toFixed(1).padStart(5)} %  ${key}\n`)
}
const idle = self.get('(idle)') ?? 0
process.stdout.write(
  `${positionals[0]}: ${(sampled / 1e6).toFixed(1)} s sampled, ${(idle / 1e6).toFixed(1)} s idle (waiting: disk, network), ${((sampled - idle) / 1e6).toFixed(1)} s on the CPU\n`,
)
print('Self time (the function itself)', self)
print('Total time (the function and what it calls)', total)
print('Self time per file', perFile)
