import { expect, test } from 'vitest'
import { countFeedback, scoresGraph } from '../../../src/vendors/portkey/analytics.ts'
import {
  commaList,
  effectiveWorkspace,
  generationMatches,
  InvalidFilterError,
  parseAnalyticsFilter,
  parseMetadata,
  weightedFeedback,
  type KeyScope,
} from '../../../src/vendors/portkey/filters.ts'
import type { AnalyticsQuery } from '../../../src/vendors/portkey/types.ts'
import { feedback, FILTER_FEEDBACK, FILTER_GENERATIONS, FILTER_TABLE, FILTER_WINDOW, generation } from './records.ts'

const NUMERIC = new Set([
  'total_units_min',
  'total_units_max',
  'cost_min',
  'cost_max',
  'prompt_token_min',
  'prompt_token_max',
  'completion_token_min',
  'completion_token_max',
  'weighted_feedback_min',
  'weighted_feedback_max',
])
const WORKSPACE_KEY: KeyScope = { type: 'workspace' }

/** The query as the pipeline hands it over (numbers coerced by ajv). */
function toQuery(params: Record<string, string>): AnalyticsQuery {
  const query: Record<string, unknown> = { ...FILTER_WINDOW }
  for (const [k, v] of Object.entries(params)) query[k] = NUMERIC.has(k) ? Number(v) : v
  return query as AnalyticsQuery
}

function scoresFor(params: Record<string, string>, key: KeyScope = WORKSPACE_KEY): number[] {
  const filter = parseAnalyticsFilter(toQuery(params), key)
  return scoresGraph(countFeedback({ generations: FILTER_GENERATIONS, feedback: FILTER_FEEDBACK }, filter)).data_points.map((p) => p.score)
}

test.each(FILTER_TABLE)('filter %j counts the feedback scored %j', (params, scores) => {
  expect(scoresFor(params)).toEqual(scores)
})

test('comma lists are trimmed, empty items dropped, and an all-empty list is no filter', () => {
  expect(commaList(' a, b,,c ')).toEqual(['a', 'b', 'c'])
  expect(commaList(',,')).toBeNull()
  expect(commaList(undefined)).toBeNull()
})

test('metadata must be a stringified JSON object; its values compare as strings', () => {
  expect(parseMetadata('{"n": 3, "ok": true}')).toEqual({ n: '3', ok: 'true' })
  expect(parseMetadata(undefined)).toBeNull()
  for (const bad of ['nope', '[1]', '"x"', 'null', '{']) expect(() => parseMetadata(bad)).toThrow(InvalidFilterError)
})

test('a metadata filter on a number matches the stringified metadata value', () => {
  const g = generation({ id: 'g', trace_id: 't', metadata: { n: '3' } })
  const filter = parseAnalyticsFilter({ ...FILTER_WINDOW, metadata: '{"n":3}' }, WORKSPACE_KEY)
  expect(generationMatches(g, filter)).toBe(true)
})

test('min after max, or an unparsable time, is an invalid filter', () => {
  expect(() =>
    parseAnalyticsFilter({ time_of_generation_min: '2026-01-11T00:00:00Z', time_of_generation_max: '2026-01-10T00:00:00Z' }, WORKSPACE_KEY),
  ).toThrow(/must not be after/)
  expect(() =>
    parseAnalyticsFilter({ time_of_generation_min: 'x', time_of_generation_max: '2026-01-10T00:00:00Z' }, WORKSPACE_KEY),
  ).toThrow(InvalidFilterError)
})

test('a generation without a listed field never matches a list filter on it', () => {
  const bare = generation({ id: 'g', trace_id: 't' })
  for (const params of [{ virtual_keys: 'x' }, { configs: 'x' }, { api_key_ids: 'x' }, { span_id: 'x' }, { prompt_slug: 'x' }]) {
    expect(generationMatches(bare, parseAnalyticsFilter(toQuery(params), WORKSPACE_KEY))).toBe(false)
  }
})

test.each([
  ['workspace key without a workspace ignores the parameter', { type: 'workspace' }, 'ws-a', null],
  ['workspace key is locked to its own workspace', { type: 'workspace', workspaceSlug: 'ws-b' }, 'ws-a', 'ws-b'],
  ['organisation key reads the workspace it names', { type: 'organisation', workspaceSlug: 'ws-b' }, 'ws-a', 'ws-a'],
  ['organisation key falls back to its default workspace', { type: 'organisation', workspaceSlug: 'ws-b' }, undefined, 'ws-b'],
  ['organisation key without a default reads every workspace', { type: 'organisation' }, undefined, null],
] as [string, KeyScope, string | undefined, string | null][])('%s', (_name, key, slug, expected) => {
  expect(effectiveWorkspace(key, slug)).toBe(expected)
})

test('workspace_slug selects generations for an organisation key only', () => {
  expect(scoresFor({ workspace_slug: 'ws-a' }, { type: 'organisation' })).toEqual([1])
  expect(scoresFor({ workspace_slug: 'ws-b' }, { type: 'organisation' })).toEqual([-1])
  expect(scoresFor({ workspace_slug: 'ws-a' }, { type: 'workspace' })).toEqual([-1, 1, 10])
  expect(scoresFor({ workspace_slug: 'ws-a' }, { type: 'workspace', workspaceSlug: 'ws-b' })).toEqual([-1])
})

test('weighted feedback is value × weight without float noise at the bounds', () => {
  expect(weightedFeedback(feedback({ id: 'f', trace_id: 't', value: 3, weight: 0.7 }))).toBe(2.1)
  const filter = parseAnalyticsFilter({ ...FILTER_WINDOW, weighted_feedback_min: 2.1, weighted_feedback_max: 2.1 }, WORKSPACE_KEY)
  const state = {
    generations: [generation({ id: 'g', trace_id: 't' })],
    feedback: [feedback({ id: 'f', trace_id: 't', value: 3, weight: 0.7 })],
  }
  expect(countFeedback(state, filter)).toHaveLength(1)
})
