import type { VendorName } from '../vendors/vendor-name.ts'
import { planAnswers, type Answer, type AnswerSource, type CompletionOutcome } from './answer.ts'
import { anthropicUsage, buildMessage, messageStreamEvents, planMessages } from './anthropic.ts'
import { alphanumeric, sha256Hex } from './deterministic.ts'
import {
  buildChatResponse,
  buildEmbeddingResponse,
  buildTextCompletionResponse,
  chatStreamEvents,
  openAiUsage,
  planChat,
  planEmbeddings,
  planTextAnswers,
  planTextCompletion,
  systemFingerprint,
  textStreamEvents,
  type ResponseMeta,
  type SseEvent,
} from './openai.ts'
import { createCompletionRuleSet, type CompletionRuleSet } from './rules.ts'
import { sleep } from './sse.ts'
import { tokenCounterFor, type TokenEncoding } from './tokens.ts'
import type { AnthropicMessage, ChatCompletionResponse, CompletionRule, EmbeddingResponse, TextCompletionResponse } from './types.ts'

/** The LLM APIs the engine answers: OpenAI chat completions, completions, embeddings; Anthropic messages. */
export type CompletionApi = 'chat' | 'completions' | 'embeddings' | 'messages'

export type CompletionRequest = {
  api: CompletionApi
  /** The request body as the app sent it (validated by the vendor's route; read defensively anyway). */
  body: unknown
  vendor?: VendorName | undefined
  /** The model as the vendor resolved it (Portkey's `@slug/` dropped, a Pulze namespace…); default `body.model`. */
  model?: string | undefined
  /** Forces the answer (Helicone's `__helicone-mock-response`); wins over every rule. */
  override?: CompletionOutcome | undefined
  /** The response id; default `chatcmpl-…`, `cmpl-…` or `msg_01…` (per engine call, reproducible per run). */
  id?: string | undefined
  /** `created` as the body carries it: default the engine clock in seconds (Pulze passes milliseconds). */
  created?: number | undefined
  /** Simulated provider latency for this call, in ms; default the engine's `latencyMs`. */
  latencyMs?: number | undefined
  /** Cuts the latency wait short (a client that went away). */
  signal?: AbortSignal | undefined
}

export type TokenUsage = {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  /** How they were counted: a real encoding, or the 4-characters approximation. */
  encoding: TokenEncoding
  /** False when counted by approximation or forced by a rule/override. */
  exact: boolean
}

export type StreamOptions = {
  /** OpenAI: end with a usage chunk (`choices: []`); default the request's `stream_options.include_usage`. */
  includeUsage?: boolean | undefined
  /** How many deltas a text (or a tool call's arguments) is split into; default 4. */
  pieces?: number | undefined
}

type CompletionBase = {
  model: string
  usage: TokenUsage
  /** Choice 0's assistant text ('' when it is only tool calls; the JSON text for JSON answers). */
  content: string
  /** Choice 0's tool calls, with their ids as the body has them. */
  toolCalls: { id: string; name: string; arguments: string }[]
  /** Where the answer came from; `rule` is the matched rule as it was before this call counted it down. */
  source: AnswerSource
  rule?: CompletionRule | undefined
  /** The body asked to stream (`stream: true`). */
  stream: boolean
  /** OpenAI: the body asked for the final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean
  /** The simulated latency that was waited, in ms. */
  latencyMs: number
  /** The server-sent events of the answer in the API's streaming shape (fresh objects each call). */
  streamEvents(options?: StreamOptions): SseEvent[]
}

export type Completion =
  | (CompletionBase & {
      api: 'chat'
      body: ChatCompletionResponse
      finishReason: ChatCompletionResponse['choices'][number]['finish_reason']
    })
  | (CompletionBase & {
      api: 'completions'
      body: TextCompletionResponse
      finishReason: TextCompletionResponse['choices'][number]['finish_reason']
    })
  | (CompletionBase & { api: 'embeddings'; body: EmbeddingResponse; finishReason: null })
  | (CompletionBase & { api: 'messages'; body: AnthropicMessage; finishReason: AnthropicMessage['stop_reason'] })

export type CompletionEngineOptions = {
  /** Scripted answers to start with. */
  rules?: readonly CompletionRule[]
  /** Default simulated provider latency in ms (0: none). */
  latencyMs?: number
  /** Clock in ms for `created`; default `Date.now`. */
  now?: () => number
}

export type CompletionEngine = {
  readonly rules: CompletionRuleSet
  /** Answers one request; rejects only with `CompletionRequestError` (a request the API itself refuses). */
  complete(request: CompletionRequest): Promise<Completion>
}

export function createCompletionEngine(options: CompletionEngineOptions = {}): CompletionEngine {
  const rules = createCompletionRuleSet(options.rules)
  const now = options.now ?? Date.now
  let calls = 0
  return {
    rules,
    async complete(request) {
      const sequence = ++calls
      const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {}
      const model = request.model ?? (typeof body['model'] === 'string' ? body['model'] : 'unknown')
      const counter = await tokenCounterFor(model)
      const seed = sha256Hex(request.api, String(sequence), model, JSON.stringify(request.body) ?? '')
      const meta: ResponseMeta = {
        id: request.id ?? defaultId(request.api, seed),
        created: request.created ?? Math.floor(now() / 1000),
        model,
        seed,
        systemFingerprint: systemFingerprint(model),
      }
      const latencyMs = Math.max(0, request.latencyMs ?? options.latencyMs ?? 0)
      const context = { vendor: request.vendor, model }
      const common = (
        usage: TokenUsage,
        source: AnswerSource,
        rule: CompletionRule | undefined,
        stream: boolean,
        includeUsage: boolean,
      ) => ({
        model,
        usage,
        source,
        rule,
        stream,
        includeUsage,
        latencyMs,
      })
      const pick = (lastUserText: string): { outcome: CompletionOutcome | undefined; source: AnswerSource; rule?: CompletionRule } => {
        if (request.override !== undefined) return { outcome: request.override, source: 'override' }
        const rule = rules.take({ ...context, lastUserText })
        return rule === undefined ? { outcome: undefined, source: 'generated' } : { outcome: rule, source: 'rule', rule }
      }
      const usageOf = (prompt: number, completion: number, forced: CompletionOutcome | undefined): TokenUsage => {
        const promptTokens = forced?.usage?.promptTokens ?? prompt
        return {
          promptTokens,
          completionTokens: completion,
          totalTokens: promptTokens + completion,
          encoding: counter.encoding,
          exact: counter.exact && forced?.usage === undefined,
        }
      }

      let completion: Completion
      switch (request.api) {
        case 'chat': {
          const plan = planChat(body, model, counter)
          const { outcome, source, rule } = pick(plan.prompt.lastUserText)
          const answers = planAnswers(plan.prompt, outcome, counter)
          const usage = usageOf(plan.promptTokens, sum(answers), outcome)
          const apiUsage = openAiUsage(usage.promptTokens, usage.completionTokens)
          const responseBody = buildChatResponse(meta, plan, answers, apiUsage)
          const first = responseBody.choices[0]!
          completion = {
            api: 'chat',
            ...common(usage, source, rule, plan.stream, plan.includeUsage),
            body: responseBody,
            content: answers[0]!.text,
            toolCalls: (first.message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, ...c.function }] : [])),
            finishReason: first.finish_reason,
            streamEvents: (o = {}) =>
              chatStreamEvents(meta, plan, answers, apiUsage, { includeUsage: o.includeUsage ?? plan.includeUsage, pieces: o.pieces }),
          }
          if (plan.legacyFunctions && first.message.function_call !== undefined) {
            completion.toolCalls = [{ id: '', ...first.message.function_call }]
          }
          break
        }
        case 'completions': {
          const plan = planTextCompletion(body, model, counter)
          const { outcome, source, rule } = pick(plan.prompts[0]?.text ?? '')
          const answers = planTextAnswers(plan, outcome, counter)
          const promptTokens = plan.prompts.reduce((n, p) => n + p.tokens, 0)
          const usage = usageOf(promptTokens, sum(answers), outcome)
          const apiUsage = openAiUsage(usage.promptTokens, usage.completionTokens, false)
          const responseBody = buildTextCompletionResponse(meta, plan, answers, apiUsage)
          completion = {
            api: 'completions',
            ...common(usage, source, rule, plan.stream, plan.includeUsage),
            body: responseBody,
            content: responseBody.choices[0]?.text ?? '',
            toolCalls: [],
            finishReason: responseBody.choices[0]?.finish_reason ?? 'stop',
            streamEvents: (o = {}) =>
              textStreamEvents(meta, plan, answers, apiUsage, { includeUsage: o.includeUsage ?? plan.includeUsage, pieces: o.pieces }),
          }
          break
        }
        case 'embeddings': {
          const plan = planEmbeddings(body, model, counter)
          const usage = usageOf(plan.promptTokens, 0, undefined)
          completion = {
            api: 'embeddings',
            ...common(usage, 'generated', undefined, false, false),
            body: buildEmbeddingResponse(model, plan, { prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens }),
            content: '',
            toolCalls: [],
            finishReason: null,
            streamEvents: () => [],
          }
          break
        }
        case 'messages': {
          const plan = planMessages(body, model, counter)
          const { outcome, source, rule } = pick(plan.prompt.lastUserText)
          const answer = planAnswers(plan.prompt, outcome, counter)[0]!
          const usage = usageOf(plan.promptTokens, answer.completionTokens, outcome)
          const apiUsage = anthropicUsage(usage.promptTokens, usage.completionTokens)
          const responseBody = buildMessage(meta, answer, apiUsage)
          completion = {
            api: 'messages',
            ...common(usage, source, rule, plan.stream, false),
            body: responseBody,
            content: answer.text,
            toolCalls: responseBody.content.flatMap((b) =>
              b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: JSON.stringify(b.input) }] : [],
            ),
            finishReason: responseBody.stop_reason,
            streamEvents: (o = {}) => messageStreamEvents(meta, answer, apiUsage, { pieces: o.pieces }),
          }
          break
        }
      }
      await sleep(latencyMs, request.signal)
      return completion
    },
  }
}

function sum(answers: readonly Answer[]): number {
  return answers.reduce((n, a) => n + a.completionTokens, 0)
}

/** `chatcmpl-` + 29, `cmpl-` + 29 characters, `msg_01` + 22 (the lengths of the real ids). */
function defaultId(api: CompletionApi, seed: string): string {
  switch (api) {
    case 'chat':
      return `chatcmpl-${alphanumeric(seed, 29)}`
    case 'completions':
      return `cmpl-${alphanumeric(seed, 29)}`
    case 'messages':
      return `msg_01${alphanumeric(seed, 22)}`
    case 'embeddings':
      return ''
  }
}
