// Small fixtures for the Pulze tests: one app's logs, written as fixture records.
import { pulzeLogRecord } from '../../../scripts/fixtures/pulze.ts'
import { stableUuid } from '../../../src/util/stable-uuid.ts'

export const NOW = new Date('2026-03-01T12:00:00.000Z')
export const HOUR = 3_600_000

export const logId = (name: string): string => stableUuid(`pulze-test-log:${name}`)

type LogOptions = {
  hoursAgo: number
  prompt?: string
  answer?: string
  labels?: Record<string, string>
  privacy?: 1 | 2 | 3
  parent?: string
  tokens?: number
  latency?: number
  good?: boolean | null
}

/** A fixture log record (only some fields; the rest take defaults), built by the demo fixture's builder. */
export function record(name: string, options: LogOptions): Record<string, unknown> {
  const timestamp = NOW.getTime() - options.hoursAgo * HOUR
  return {
    ...pulzeLogRecord({
      id: logId(name),
      timestamp,
      namespace: 'openai/gpt-4o-mini',
      prompt: options.prompt ?? `question ${name}`,
      answer: options.answer ?? `answer ${name}`,
      labels: options.labels ?? {},
      ...(options.privacy === undefined ? {} : { privacy: options.privacy }),
      ...(options.parent === undefined ? {} : { parentId: logId(options.parent) }),
      ...(options.good === undefined || options.good === null ? {} : { good: options.good }),
    }),
    total_tokens: options.tokens ?? 10,
    latency: options.latency ?? 1,
  }
}

/** A small app: five plain logs, a parent with two children, one level-2 and one level-3 log. */
export function sampleLogs(): Record<string, unknown>[] {
  return [
    record('a', {
      hoursAgo: 1,
      prompt: 'What is the capital of France?',
      answer: 'Paris.',
      labels: { team: 'Support', env: 'prod' },
      tokens: 30,
      latency: 0.5,
    }),
    record('b', { hoursAgo: 2, prompt: 'Translate hello', answer: 'Hola', labels: { team: 'search' }, tokens: 10, latency: 2 }),
    record('c', { hoursAgo: 3, labels: { team: 'support', env: 'staging' }, tokens: 20, latency: 1.5, good: false }),
    record('d', { hoursAgo: 30, tokens: 50, latency: 0.2 }),
    record('e', { hoursAgo: 24 * 40, tokens: 5 }),
    record('parent', { hoursAgo: 5, prompt: 'RAG question', answer: 'RAG answer' }),
    record('child1', { hoursAgo: 5.01, parent: 'parent' }),
    record('child2', { hoursAgo: 5.02, parent: 'parent', privacy: 3 }),
    record('masked', {
      hoursAgo: 6,
      prompt: 'secret prompt about Paris',
      answer: 'secret answer',
      labels: { team: 'support' },
      privacy: 2,
    }),
    record('stealth', { hoursAgo: 7, prompt: 'stealth Paris', privacy: 3 }),
  ]
}
