// Pulze's completion routes, the part only Pulze has: which model answers a request, the answer in Pulze's
// shape (a UUID `id` that is also the log's, `created` in milliseconds, the `metadata` block, no
// `system_fingerprint`), and the log each call leaves. Pure: the handlers run the engine and commit.
import type { Completion, SseEvent } from '../../../completions/index.ts'
import { costBreakdownUsd, type CostBreakdown } from '../../../pricing/prices.ts'
import type { PrivacyLevel } from './headers.ts'
import { maskPayload, maskResponse } from '../logs.ts'
import type { ChatCompletionResponse, PulzeEngineResponse, ResponseMetadata, StoredLog, TextCompletionResponse } from '../types.ts'

export type CompletionRoute = 'chat' | 'completions'
export const REQUEST_TYPE = { chat: 'chat_completions', completions: 'completions' } as const

// ---------------------------------------------------------------------------------------------- model

/** The model that answers: Pulze's namespace (`provider/model`), and its parts. */
export type RoutedModel = { namespace: string; model: string; provider: string | null }

/** What dynamic routing (`pulze`, `pulze-v0`, no model) answers with [I: a fixed choice]. */
export const DEFAULT_NAMESPACE = 'openai/gpt-4o-mini'
const DYNAMIC = new Set(['', 'pulze', 'pulze-v0'])
/** A provider's name alone ("a subset for multi-matching"): that provider's default model [I]. */
const PROVIDER_DEFAULTS: Readonly<Record<string, string>> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku',
  google: 'gemini-2.0-flash',
  mistralai: 'mistral-small-latest',
  groq: 'llama-3.1-8b-instant',
}
/** A bare model name's provider, by family. */
const FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/^(gpt-|chatgpt-|o1|o3|o4|text-|davinci|babbage)/, 'openai'],
  [/^claude-/, 'anthropic'],
  [/^gemini-/, 'google'],
  [/^(mistral-|open-mistral|codestral)/, 'mistralai'],
  [/^llama-/, 'groq'],
]

export function routeModel(requested: string | null): RoutedModel {
  const name = (requested ?? '').trim()
  const lower = name.toLowerCase()
  const split = (namespace: string): RoutedModel => {
    const slash = namespace.indexOf('/')
    return { namespace, provider: namespace.slice(0, slash), model: namespace.slice(slash + 1) }
  }
  if (DYNAMIC.has(lower)) return split(DEFAULT_NAMESPACE)
  if (name.includes('/')) return split(name)
  if (Object.hasOwn(PROVIDER_DEFAULTS, lower)) return split(`${lower}/${PROVIDER_DEFAULTS[lower]!}`)
  const family = FAMILIES.find(([pattern]) => pattern.test(lower))
  return family === undefined ? { namespace: name, model: name, provider: null } : split(`${family[1]}/${name}`)
}

// ---------------------------------------------------------------------------------------------- costs

/** Pulze's `cost_savings` benchmark: "Price difference -- compared with GPT-4" (2024 reference). */
const BENCHMARK_MODEL = 'gpt-4'

const roundUsd = (usd: number): number => Math.round(usd * 1e12) / 1e12

export type Usage = { prompt: number; completion: number }
export type PulzeCosts = { costs: CostBreakdown; savings: CostBreakdown }

export function pulzeCosts(namespace: string, usage: Usage): PulzeCosts {
  const costs = costBreakdownUsd(namespace, usage.prompt, usage.completion)
  const benchmark = costBreakdownUsd(BENCHMARK_MODEL, usage.prompt, usage.completion)
  return {
    costs,
    savings: {
      prompt: roundUsd(benchmark.prompt - costs.prompt),
      completion: roundUsd(benchmark.completion - costs.completion),
      total: roundUsd(benchmark.total - costs.total),
    },
  }
}

// ---------------------------------------------------------------------------------------------- answers

/** One choice of an answer, whatever API and however it came (a whole completion, or a stream cut short). */
export type ChoiceOutcome = {
  index: number
  text: string
  toolCalls: { id: string; name: string; arguments: string }[]
  finishReason: string | null
}

/** The choices of a whole completion. */
export function choicesOf(completion: Completion): ChoiceOutcome[] {
  if (completion.api === 'chat') {
    return completion.body.choices.map((c) => ({
      index: c.index,
      text: c.message.content ?? '',
      toolCalls: (c.message.tool_calls ?? []).flatMap((t) => (t.type === 'function' ? [{ id: t.id, ...t.function }] : [])),
      finishReason: c.finish_reason,
    }))
  }
  if (completion.api === 'completions') {
    return completion.body.choices.map((c) => ({ index: c.index, text: c.text, toolCalls: [], finishReason: c.finish_reason }))
  }
  return []
}

type Chunk = {
  choices?: {
    index?: number
    text?: string
    finish_reason?: string | null
    delta?: {
      content?: string | null
      tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[]
    }
  }[]
}

/** The choices as far as the given stream events carried them (a client that left early saw only these). */
export function choicesFromEvents(events: readonly SseEvent[]): ChoiceOutcome[] {
  const byIndex = new Map<number, ChoiceOutcome>()
  for (const event of events) {
    if (event.data === null || typeof event.data !== 'object') continue
    for (const choice of (event.data as Chunk).choices ?? []) {
      const index = choice.index ?? 0
      let outcome = byIndex.get(index)
      if (outcome === undefined) {
        outcome = { index, text: '', toolCalls: [], finishReason: null }
        byIndex.set(index, outcome)
      }
      outcome.text += choice.text ?? choice.delta?.content ?? ''
      for (const call of choice.delta?.tool_calls ?? []) {
        const position = call.index ?? 0
        const known = (outcome.toolCalls[position] ??= { id: '', name: '', arguments: '' })
        if (call.id !== undefined) known.id = call.id
        known.name += call.function?.name ?? ''
        known.arguments += call.function?.arguments ?? ''
      }
      if (choice.finish_reason !== undefined && choice.finish_reason !== null) outcome.finishReason = choice.finish_reason
    }
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index)
}

/** Choice 0's text as Pulze logs it (`response_text`): the text, or the JSON list of its tool calls [I]. */
export function responseTextOf(choices: readonly ChoiceOutcome[]): string {
  const first = choices[0]
  if (first === undefined) return ''
  if (first.toolCalls.length > 0 && first.text === '') {
    return JSON.stringify(first.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })))
  }
  return first.text
}

/** What an answer says beyond its choices. */
export type AnswerContext = {
  id: string
  createdMs: number
  appId: string
  route: RoutedModel
  labels: Record<string, string>
  usage: Usage
  costs: PulzeCosts
  latencySeconds: number
  /** The request's `temperature` and `max_tokens` as Pulze's model parsed them. */
  temperature: unknown
  maxTokens: unknown
  statusCode: number
  error?: string
  /** Answer `finish_reason: null`, as Pulze's own notebook showed (default: the engine's). */
  nullFinishReason: boolean
}

function costsBlock(c: CostBreakdown): { total_tokens: number; prompt_tokens: number; completion_tokens: number } {
  return { total_tokens: c.total, prompt_tokens: c.prompt, completion_tokens: c.completion }
}

/** `metadata`, keys without a value left out (Pulze's notebook shows an `exclude_none` dump). */
export function responseMetadata(ctx: AnswerContext): ResponseMetadata {
  const { route } = ctx
  const best = Object.create(null) as Record<string, number>
  best[route.namespace] = 1
  return {
    app_id: ctx.appId,
    model: { model: route.model, ...(route.provider === null ? {} : { provider: route.provider }), namespace: route.namespace },
    costs: costsBlock(ctx.costs.costs),
    cost_savings: costsBlock(ctx.costs.savings),
    latency: ctx.latencySeconds,
    labels: ctx.labels,
    ...(ctx.error === undefined ? {} : { error: ctx.error }),
    scores: { best_models: [best] },
    score: 1,
    ...(ctx.temperature === null || ctx.temperature === undefined ? {} : { temperature: ctx.temperature }),
    ...(typeof ctx.maxTokens === 'number' ? { max_tokens: ctx.maxTokens } : {}),
    status_code: ctx.statusCode,
    retries: 0,
  }
}

function usageBlock(usage: Usage): { total_tokens: number; prompt_tokens: number; completion_tokens: number } {
  return { total_tokens: usage.prompt + usage.completion, prompt_tokens: usage.prompt, completion_tokens: usage.completion }
}

/** The chat answer in Pulze's response model (its keys, its order). */
export function chatAnswer(choices: readonly ChoiceOutcome[], ctx: AnswerContext): ChatCompletionResponse {
  return {
    choices: choices.map((c) => ({
      index: c.index,
      finish_reason: ctx.nullFinishReason ? null : c.finishReason,
      message: {
        role: 'assistant' as const,
        content: c.toolCalls.length > 0 && c.text === '' ? null : c.text,
        ...(c.toolCalls.length === 0
          ? {}
          : {
              tool_calls: c.toolCalls.map((t) => ({
                id: t.id,
                type: 'function' as const,
                function: { name: t.name, arguments: t.arguments },
              })),
            }),
      },
    })),
    created: ctx.createdMs,
    metadata: responseMetadata(ctx),
    id: ctx.id,
    usage: usageBlock(ctx.usage),
    model: ctx.route.namespace,
    object: 'chat.completion',
  }
}

/** The text completion answer in Pulze's response model. */
export function textAnswer(choices: readonly ChoiceOutcome[], ctx: AnswerContext): TextCompletionResponse {
  return {
    choices: choices.map((c) => ({
      index: c.index,
      finish_reason: ctx.nullFinishReason ? null : c.finishReason,
      text: c.text,
      logprobs: null,
    })),
    created: ctx.createdMs,
    metadata: responseMetadata(ctx),
    id: ctx.id,
    usage: usageBlock(ctx.usage),
    model: ctx.route.namespace,
    object: 'text_completion',
  }
}

export function answerOf(route: CompletionRoute, choices: readonly ChoiceOutcome[], ctx: AnswerContext) {
  return route === 'chat' ? chatAnswer(choices, ctx) : textAnswer(choices, ctx)
}

/** Pulze's stream: the engine's OpenAI chunks without `system_fingerprint` and `service_tier`; `[DONE]` apart. */
export function pulzeStreamEvents(events: readonly SseEvent[]): { chunks: SseEvent[]; done: SseEvent | null } {
  const chunks: SseEvent[] = []
  let done: SseEvent | null = null
  for (const event of events) {
    if (event.data === '[DONE]') {
      done = event
      continue
    }
    if (event.data !== null && typeof event.data === 'object') {
      const { system_fingerprint: _fingerprint, service_tier: _tier, ...rest } = event.data as Record<string, unknown>
      chunks.push({ ...event, data: rest })
    } else chunks.push(event)
  }
  return { chunks, done }
}

// ---------------------------------------------------------------------------------------------- the log

export type LogInput = {
  route: CompletionRoute
  answer: ChatCompletionResponse | TextCompletionResponse
  choices: readonly ChoiceOutcome[]
  appId: string
  /** The request as Pulze's model parsed it, with `labels`, `weights`, `policies` from the headers. */
  payload: Record<string, unknown>
  /** "The prompt in text format". */
  prompt: string
  latencySeconds: number
  statusCode: number
  privacyLevel: PrivacyLevel
}

/** The text of a chat's last user message (what `prompt` holds for a chat [I]). */
export function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return ''
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown } | null
    if (message?.role === 'user' && typeof message.content === 'string') return message.content
  }
  return ''
}

/**
 * The log a call leaves, every field of the log object. Privacy level 2 stores no text (the prompt, the
 * answer, message contents); level 3 only what billing needs (no text, no labels, no payload).
 */
export function buildLog(input: LogInput): StoredLog {
  const { answer } = input
  const response = answer as unknown as PulzeEngineResponse
  const level = input.privacyLevel
  let storedResponse: PulzeEngineResponse = response
  if (level === 3) {
    const { labels: _labels, ...metadata } = response.metadata ?? {}
    storedResponse = { ...maskResponse(response), metadata }
  } else if (level === 2) storedResponse = maskResponse(response)
  const payload = level === 3 ? null : level === 2 ? maskPayload(input.payload) : input.payload
  return {
    id: answer.id,
    timestamp: answer.created,
    added_on: new Date(answer.created).toISOString(),
    app_id: input.appId,
    conversation_id: stringOrNull(input.payload['conversation_id']),
    parent_request_id: stringOrNull(input.payload['parent_request_id']),
    auth0_id: null,
    good_answer: null,
    feedback: '',
    prompt_tokens: answer.usage.prompt_tokens,
    completion_tokens: answer.usage.completion_tokens,
    total_tokens: answer.usage.total_tokens,
    prompt_tokens_cost: answer.metadata.costs?.prompt_tokens ?? 0,
    completion_tokens_cost: answer.metadata.costs?.completion_tokens ?? 0,
    total_tokens_cost: answer.metadata.costs?.total_tokens ?? 0,
    prompt_tokens_cost_savings: answer.metadata.cost_savings?.prompt_tokens ?? 0,
    completion_tokens_cost_savings: answer.metadata.cost_savings?.completion_tokens ?? 0,
    total_tokens_cost_savings: answer.metadata.cost_savings?.total_tokens ?? 0,
    costs_incurred: true,
    namespace: answer.model,
    model: answer.model,
    payload: payload as StoredLog['payload'],
    privacy_level: level,
    prompt: level === 1 ? input.prompt : null,
    request_type: REQUEST_TYPE[input.route],
    response_text: level === 1 ? responseTextOf(input.choices) : null,
    status_code: input.statusCode,
    is_test: false,
    latency: input.latencySeconds,
    parent_id: null,
    is_saved_for_later: false,
    comment_count: 0,
    collections: [],
    response: storedResponse,
  }
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null)
