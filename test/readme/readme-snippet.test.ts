// The README's "Use in tests" snippets, read from README.md itself and run as they are written (only the
// package import points at src/): if this fails, the README is no longer true.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { collected } from './capture-tests.ts'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = README.split(/^## /m).find((s) => s.startsWith('Use in tests'))
const snippets = [...(section ?? '').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => /\btest\(/.test(code))

const folder = fileURLToPath(new URL('./.generated/', import.meta.url))
mkdirSync(folder, { recursive: true })
const files = snippets.map((code, i) => {
  const file = `${folder}readme-snippet-${process.pid}-${i}.ts`
  const rewired = code
    .replace(/from 'vitest'/g, `from '${fileURLToPath(new URL('./capture-tests.ts', import.meta.url))}'`)
    .replace(/from 'llm-feedback-emulator'/g, `from '${fileURLToPath(new URL('../../src/index.ts', import.meta.url))}'`)
  writeFileSync(file, rewired)
  return file
})
for (const file of files) await import(file)

afterAll(() => {
  for (const file of files) rmSync(file, { force: true })
})

test('the README has runnable test snippets in "Use in tests"', () => {
  expect(snippets.length).toBeGreaterThan(0)
  expect(collected.length).toBeGreaterThanOrEqual(snippets.length)
})

for (const { name, fn, timeout } of collected) test(`README: ${name}`, fn, timeout)
