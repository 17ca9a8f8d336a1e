import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { JsonStreamError, readJsonFile } from '../../src/store/json-stream-reader.ts'
import { scratchFolder } from './store-helpers.ts'

let scratch: Awaited<ReturnType<typeof scratchFolder>>
beforeEach(async () => {
  scratch = await scratchFolder()
})
afterEach(async () => {
  await scratch.remove()
})

const DOCUMENTS: unknown[] = [
  { version: 1, portkey: {}, helicone: {}, pulze: {} },
  {
    version: 1,
    portkey: {
      'a "quoted" \\ tenant': {
        feedback: [
          {
            id: 'x',
            text: 'a } ] , " \\" \\\\ \u00e9 \ud83d\ude00 {[',
            value: -1.5e-3,
            weight: 0,
            metadata: { n: null, b: true, deep: [[1], { a: [] }] },
          },
          { id: 'y', text: '', value: 10, metadata: {} },
        ],
        generations: [],
      },
      __proto__: { feedback: [1, 'two', null, false, { three: 3 }, [4]], generations: [] },
    },
    helicone: { org: { organizationId: 'o', requests: [{ request_body: '{"not": "parsed"}' }], pendingScores: [] } },
    pulze: {},
  },
  [1, [2, [3, [4, [5]]]], 'x'],
  'just a string',
  42,
]

test('any JSON document reads as JSON.parse reads it, however the chunks cut it, compact or pretty', async () => {
  const file = join(scratch.dir, 'doc.json')
  for (const doc of DOCUMENTS) {
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
      await writeFile(file, text)
      for (const chunk of [5, 7, 64, 1 << 20]) {
        expect(await readJsonFile(file, 3, chunk)).toEqual(JSON.parse(text))
      }
    }
  }
})

test('a key named __proto__ is an ordinary key', async () => {
  const file = join(scratch.dir, 'proto.json')
  await writeFile(file, '{"portkey":{"__proto__":{"feedback":[]}}}')
  const doc = (await readJsonFile(file, 3, 8)) as { portkey: Record<string, unknown> }
  expect(Object.keys(doc.portkey)).toEqual(['__proto__'])
  expect(Object.getPrototypeOf(doc.portkey)).toBe(Object.prototype)
})

test('what is not JSON is refused with the byte where it stops making sense', async () => {
  const file = join(scratch.dir, 'bad.json')
  for (const [text, message] of [
    ['{"version":1,"portkey":{', /unexpected end of the document/],
    ['{"a":1} {"b":2}', /unexpected content after the document at byte 8/],
    ['{"a" 1}', /expected : at byte 5/],
    ['{"a":1 "b":2}', /expected , or \} at byte 7/],
    ['{"a":[1,2}', /expected , or \]/],
    ['{"a":{"b":nope}}', /at byte 10/],
  ] as const) {
    await writeFile(file, text)
    const reading = readJsonFile(file, 1, 4)
    await expect(reading).rejects.toBeInstanceOf(JsonStreamError)
    await expect(reading).rejects.toThrow(message)
  }
})
