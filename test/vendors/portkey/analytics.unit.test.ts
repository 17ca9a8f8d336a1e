import { expect, test } from 'vitest'
import {
  aiModelsGraph,
  bucketStarts,
  bucketUnit,
  countFeedback,
  feedbacksGraph,
  round4,
  scoresGraph,
  weightedGraph,
  type BucketUnit,
} from '../../../src/vendors/portkey/analytics.ts'
import { parseAnalyticsFilter } from '../../../src/vendors/portkey/filters.ts'
import { feedback, generation } from './records.ts'

const t = (iso: string) => Date.parse(iso)
const filterFor = (min: string, max: string) =>
  parseAnalyticsFilter({ time_of_generation_min: min, time_of_generation_max: max }, { type: 'workspace' })

test.each([
  ['2026-01-10T00:00:00Z', '2026-01-10T01:00:00Z', 'minute'],
  ['2026-01-10T00:00:00Z', '2026-01-10T01:00:00.001Z', 'hour'],
  ['2026-01-10T00:00:00Z', '2026-01-12T00:00:00Z', 'hour'],
  ['2026-01-10T00:00:00Z', '2026-01-12T00:00:00.001Z', 'day'],
  ['2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', 'day'],
  ['2026-01-01T00:00:00Z', '2026-04-01T00:00:00.001Z', 'week'],
  ['2024-01-02T00:00:00Z', '2026-01-01T00:00:00Z', 'week'],
  ['2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'month'],
] as [string, string, BucketUnit][])('a window %s … %s has %s buckets', (min, max, unit) => {
  expect(bucketUnit(t(min), t(max))).toBe(unit)
})

test('the buckets run from the one holding min to the one holding max, both included', () => {
  const starts = bucketStarts(t('2026-01-10T10:30:00Z'), t('2026-01-12T10:30:00Z'), 'day')
  expect(starts.map((s) => new Date(s).toISOString())).toEqual([
    '2026-01-10T00:00:00.000Z',
    '2026-01-11T00:00:00.000Z',
    '2026-01-12T00:00:00.000Z',
  ])
  const months = bucketStarts(t('2025-11-15T00:00:00Z'), t('2026-02-01T00:00:00Z'), 'month')
  expect(months.map((s) => new Date(s).toISOString().slice(0, 7))).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
})

const state = {
  generations: [
    generation({ id: 'a1', trace_id: 'a', model: 'gpt-4o', created_at: '2026-01-10T05:00:00.000Z' }),
    generation({ id: 'a2', trace_id: 'a', model: 'claude-3-5-sonnet', provider: 'anthropic', created_at: '2026-01-11T05:00:00.000Z' }),
    generation({ id: 'b1', trace_id: 'b', model: 'gpt-4o', created_at: '2026-01-12T05:00:00.000Z' }),
    generation({ id: 'c1', trace_id: 'c', model: 'gpt-4o', created_at: '2026-02-01T05:00:00.000Z' }),
  ],
  feedback: [
    feedback({ id: 'fa1', trace_id: 'a', value: 1, weight: 1 }),
    feedback({ id: 'fa2', trace_id: 'a', value: -1, weight: 0.5 }),
    feedback({ id: 'fb1', trace_id: 'b', value: 1, weight: 0.3 }),
    feedback({ id: 'fc1', trace_id: 'c', value: 5, weight: 1 }),
    feedback({ id: 'fx', trace_id: 'no-generation', value: 9, weight: 1 }),
  ],
}
const window = filterFor('2026-01-10T00:00:00Z', '2026-01-12T23:59:59Z')

test('a feedback counts once even when its trace has several matching generations', () => {
  const counted = countFeedback(state, window)
  expect(counted.map((c) => c.feedback.id)).toEqual(['fa1', 'fa2', 'fb1'])
  expect(new Date(counted[0]!.at).toISOString()).toBe('2026-01-10T05:00:00.000Z')
})

test('feedback on a trace without a generation is not counted until one exists', () => {
  expect(countFeedback(state, filterFor('2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z')).map((c) => c.feedback.id)).not.toContain('fx')
  const later = {
    ...state,
    generations: [...state.generations, generation({ id: 'x1', trace_id: 'no-generation', created_at: '2026-01-11T00:00:00.000Z' })],
  }
  expect(countFeedback(later, window).map((c) => c.feedback.id)).toContain('fx')
})

test('the feedbacks graph has every day bucket, empty ones with 0, and a summary of their sum', () => {
  expect(feedbacksGraph(countFeedback(state, window), window)).toEqual({
    summary: { total: 3 },
    data_points: [
      { timestamp: '2026-01-10T00:00:00.000Z', total: 2 },
      { timestamp: '2026-01-11T00:00:00.000Z', total: 0 },
      { timestamp: '2026-01-12T00:00:00.000Z', total: 1 },
    ],
    object: 'analytics-graph',
  })
})

test('the scores graph has one point per distinct value, ascending', () => {
  expect(scoresGraph(countFeedback(state, window))).toEqual({
    summary: { total: 3 },
    data_points: [
      { score: -1, total: 1 },
      { score: 1, total: 2 },
    ],
    object: 'analytics-graph',
  })
  expect(scoresGraph([])).toEqual({ summary: { total: 0 }, data_points: [], object: 'analytics-graph' })
})

test('the weighted graph averages value × weight per bucket and overall, 0 for an empty bucket', () => {
  expect(weightedGraph(countFeedback(state, window), window)).toEqual({
    summary: { avg: round4((1 - 0.5 + 0.3) / 3) },
    data_points: [
      { timestamp: '2026-01-10T00:00:00.000Z', avg: 0.25 },
      { timestamp: '2026-01-11T00:00:00.000Z', avg: 0 },
      { timestamp: '2026-01-12T00:00:00.000Z', avg: 0.3 },
    ],
    object: 'analytics-graph',
  })
})

test('the ai-models graph counts a feedback for every model of its trace, busiest model first', () => {
  expect(aiModelsGraph(countFeedback(state, window))).toEqual({
    summary: {},
    data_points: [
      { ai_model: 'gpt-4o', total: 3, avg_weighted_feedback: round4(0.8 / 3) },
      { ai_model: 'claude-3-5-sonnet', total: 2, avg_weighted_feedback: 0.25 },
    ],
    object: 'analytics-graph',
  })
})

test('averages are rounded to 4 decimals', () => {
  expect(round4(1 / 3)).toBe(0.3333)
  expect(round4(-0.00001)).toBe(0)
})
