// Small builders for Portkey records in tests (the fixture schemas' required fields, overridable).
import type { Feedback, Generation } from '../../../src/vendors/portkey/types.ts'

export function generation(overrides: Partial<Generation> & { id: string; trace_id: string }): Generation {
  return {
    created_at: '2026-01-10T10:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o',
    status_code: 200,
    prompt_tokens: 100,
    completion_tokens: 50,
    total_tokens: 150,
    cost: 1,
    metadata: {},
    ...overrides,
  }
}

export function feedback(overrides: Partial<Feedback> & { id: string; trace_id: string; value: number }): Feedback {
  return { weight: 1, metadata: {}, created_at: '2026-01-10T12:00:00.000Z', ...overrides }
}

/**
 * The dataset of the filter tables. Each trace has one feedback with a distinct value, so the set of
 * scores a query returns names the traces it counted: t1 → 1, t2 → -1, t3 → 10, t4 (outside the window) → 7.
 */
export const FILTER_WINDOW = { time_of_generation_min: '2026-01-10T00:00:00Z', time_of_generation_max: '2026-01-10T23:59:59Z' }

export const FILTER_GENERATIONS: Generation[] = [
  generation({
    id: 'g1',
    trace_id: 't1',
    span_id: 's1',
    created_at: '2026-01-10T10:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o',
    status_code: 200,
    prompt_tokens: 100,
    completion_tokens: 50,
    total_tokens: 150,
    cost: 1.5,
    virtual_key: 'vk-a',
    config: 'pc-a',
    api_key_id: 'key-a',
    prompt_slug: 'p-a',
    workspace_slug: 'ws-a',
    metadata: { _user: 'u1', env: 'prod' },
  }),
  generation({
    id: 'g2',
    trace_id: 't2',
    span_id: 's2',
    created_at: '2026-01-10T12:00:00.000Z',
    provider: 'anthropic',
    model: 'claude-3-5-sonnet',
    status_code: 429,
    prompt_tokens: 300,
    completion_tokens: 0,
    total_tokens: 300,
    cost: 0.9,
    virtual_key: 'vk-b',
    config: 'pc-b',
    api_key_id: 'key-b',
    prompt_slug: 'p-b',
    workspace_slug: 'ws-b',
    metadata: { _user: 'u2', env: 'staging' },
  }),
  generation({
    id: 'g3',
    trace_id: 't3',
    created_at: '2026-01-10T20:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o-mini',
    status_code: 200,
    prompt_tokens: 1000,
    completion_tokens: 500,
    total_tokens: 1500,
    cost: 0.045,
    metadata: {},
  }),
  generation({ id: 'g4', trace_id: 't4', created_at: '2026-01-09T23:59:59.999Z' }),
]

export const FILTER_FEEDBACK: Feedback[] = [
  feedback({ id: 'f1', trace_id: 't1', value: 1, weight: 1 }),
  feedback({ id: 'f2', trace_id: 't2', value: -1, weight: 0.5 }),
  feedback({ id: 'f3', trace_id: 't3', value: 10, weight: 1 }),
  feedback({ id: 'f4', trace_id: 't4', value: 7, weight: 1 }),
]

/**
 * Every filter parameter, matching and not matching, with inclusive bounds: [query, the scores counted].
 * Shared by the unit table (filters over records) and the HTTP table (the same through the API).
 */
export const FILTER_TABLE: [Record<string, string>, number[]][] = [
  [{}, [-1, 1, 10]],
  [{ total_units_min: '300' }, [-1, 10]],
  [{ total_units_min: '1500' }, [10]],
  [{ total_units_min: '1501' }, []],
  [{ total_units_max: '150' }, [1]],
  [{ total_units_max: '149' }, []],
  [{ cost_min: '0.9' }, [-1, 1]],
  [{ cost_min: '1.51' }, []],
  [{ cost_max: '0.9' }, [-1, 10]],
  [{ cost_max: '0.04' }, []],
  [{ prompt_token_min: '300' }, [-1, 10]],
  [{ prompt_token_max: '100' }, [1]],
  [{ prompt_token_max: '99' }, []],
  [{ completion_token_min: '50' }, [1, 10]],
  [{ completion_token_max: '0' }, [-1]],
  [{ status_code: '429' }, [-1]],
  [{ status_code: '200, 429' }, [-1, 1, 10]],
  [{ status_code: '500' }, []],
  [{ weighted_feedback_min: '-0.5' }, [-1, 1, 10]],
  [{ weighted_feedback_min: '0' }, [1, 10]],
  [{ weighted_feedback_max: '-0.5' }, [-1]],
  [{ weighted_feedback_max: '-0.6' }, []],
  [{ weighted_feedback_min: '1', weighted_feedback_max: '1' }, [1]],
  [{ virtual_keys: 'vk-a' }, [1]],
  [{ virtual_keys: 'vk-a,vk-b' }, [-1, 1]],
  [{ virtual_keys: 'vk-z' }, []],
  [{ configs: 'pc-b' }, [-1]],
  [{ configs: 'pc-z' }, []],
  [{ api_key_ids: 'key-a' }, [1]],
  [{ api_key_ids: 'key-z' }, []],
  [{ metadata: '{"_user":"u1"}' }, [1]],
  [{ metadata: '{"env":"staging"}' }, [-1]],
  [{ metadata: '{"_user":"u1","env":"staging"}' }, []],
  [{ metadata: '{}' }, [-1, 1, 10]],
  [{ ai_org_model: 'openai__gpt-4o' }, [1]],
  [{ ai_org_model: 'openai__gpt-4o,openai__gpt-4o-mini' }, [1, 10]],
  [{ ai_org_model: 'anthropic__gpt-4o' }, []],
  [{ trace_id: 't2,t3' }, [-1, 10]],
  [{ trace_id: 't4' }, []],
  [{ span_id: 's1' }, [1]],
  [{ span_id: 's9' }, []],
  [{ prompt_slug: 'p-b' }, [-1]],
  [{ prompt_slug: 'p-z' }, []],
  [{ status_code: '200', ai_org_model: 'openai__gpt-4o-mini' }, [10]],
  [{ time_of_generation_min: '2026-01-10T10:00:00.000Z', time_of_generation_max: '2026-01-10T10:00:00.000Z' }, [1]],
  [{ time_of_generation_min: '2026-01-10T10:00:00.001Z', time_of_generation_max: '2026-01-10T12:00:00.000Z' }, [-1]],
  [{ time_of_generation_min: '2026-01-10T15:00:00+05:00', time_of_generation_max: '2026-01-10T17:00:00+05:00' }, [-1, 1]],
  [{ time_of_generation_min: '2026-01-09T23:59:59.999Z', time_of_generation_max: '2026-01-09T23:59:59.999Z' }, [7]],
  [{ unknown_parameter: 'x', page_size: '5' }, [-1, 1, 10]],
]
