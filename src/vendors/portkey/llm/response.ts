// What the gateway answers: its response headers, the provider's body as the gateway transforms it (OpenAI
// bodies pass through; other providers add `provider`; Anthropic is rebuilt by the gateway's transform), the
// same for streamed chunks, and a provider's error as the gateway relays it. Pure.
// Portkey-AI/gateway src/handlers/services/responseService.ts, src/providers/anthropic/chatComplete.ts,
// src/providers/utils.ts.
import type { Completion, SseEvent } from '../../../completions/index.ts'
import { headerOf, type HeaderBag } from './trace.ts'
import type {
  ChatCompletionChunk,
  ChatCompletionResponse,
  ProviderChatCompletion,
  ProviderChatCompletionChunk,
  ProviderError,
} from '../types.ts'

export type CacheStatus = 'HIT' | 'SEMANTIC HIT' | 'MISS' | 'SEMANTIC MISS' | 'DISABLED' | 'REFRESH'

/** The `x-portkey-*` headers the gateway puts on every answer that went through a provider attempt. */
export function gatewayHeaders(traceId: string, provider: string, cacheStatus: CacheStatus, optionIndex: string): Record<string, string> {
  return {
    'x-portkey-last-used-option-index': optionIndex,
    'x-portkey-retry-attempt-count': '0',
    'x-portkey-trace-id': traceId,
    'x-portkey-cache-status': cacheStatus,
    'x-portkey-provider': provider,
  }
}

/** Strict OpenAI compliance is on unless the request says `x-portkey-strict-open-ai-compliance: false`. */
export function strictCompliance(headers: HeaderBag): boolean {
  return headerOf(headers, 'x-portkey-strict-open-ai-compliance')?.toLowerCase() !== 'false'
}

/** How the gateway shapes a provider's answer. */
export type ResponseShape = {
  provider: string
  strict: boolean
  /** The gateway's clock (ms): `created` of rebuilt bodies, the id of rebuilt stream chunks. */
  nowMs: number
}

/** OpenAI finish reasons back to Anthropic's (what the gateway reports when strict compliance is off). */
const ANTHROPIC_STOP_REASONS: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
}

function anthropicFinish(reason: string | null | undefined, strict: boolean): string {
  const openAi = reason ?? 'stop'
  return strict ? openAi : (ANTHROPIC_STOP_REASONS[openAi] ?? openAi)
}

type Json = Record<string, unknown>

function anthropicUsage(usage: ChatCompletionResponse['usage']) {
  const prompt = usage?.prompt_tokens ?? 0
  const completion = usage?.completion_tokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0 },
  }
}

/** The Anthropic message id behind a chat completion (`msg_01` + 22 characters, the engine's id reused). */
export function anthropicMessageId(chatCompletionId: string): string {
  return `msg_01${chatCompletionId.replace(/^chatcmpl-/, '').slice(0, 22)}`
}

/** A chat completion from Anthropic as the gateway rebuilds it (getAnthropicChatCompleteResponseTransform). */
function anthropicChatCompletion(body: ChatCompletionResponse, shape: ResponseShape): ProviderChatCompletion {
  const choice = body.choices[0]
  const content = choice?.message.content ?? ''
  const toolCalls = choice?.message.tool_calls ?? []
  return {
    id: anthropicMessageId(body.id),
    object: 'chat.completion',
    created: Math.floor(shape.nowMs / 1000),
    model: body.model,
    provider: shape.provider,
    choices: [
      {
        message: {
          role: 'assistant',
          content,
          ...(shape.strict ? {} : { content_blocks: content === '' ? [] : [{ type: 'text', text: content }] }),
          ...(toolCalls.length > 0
            ? { tool_calls: toolCalls as NonNullable<ProviderChatCompletion['choices'][number]['message']['tool_calls']> }
            : {}),
        },
        index: 0,
        logprobs: null,
        finish_reason: anthropicFinish(choice?.finish_reason, shape.strict),
      },
    ],
    usage: anthropicUsage(body.usage),
  }
}

/** The body the gateway answers for a completion from `shape.provider`. */
export function providerBody(completion: Completion, shape: ResponseShape): unknown {
  if (completion.api === 'messages' || shape.provider === 'openai') return completion.body
  if (completion.api === 'chat' && shape.provider === 'anthropic') return anthropicChatCompletion(completion.body, shape)
  return { ...completion.body, provider: shape.provider }
}

/** Anthropic's stream as the gateway re-chunks it (getAnthropicStreamChunkTransform): see the spec's chat route. */
function anthropicChatChunks(completion: Completion & { api: 'chat' }, shape: ResponseShape): SseEvent[] {
  const head = {
    id: `${shape.provider}-${shape.nowMs}`,
    object: 'chat.completion.chunk' as const,
    created: Math.floor(shape.nowMs / 1000),
    model: completion.body.model,
    provider: shape.provider,
  }
  const chunk = (delta: ProviderChatCompletionChunk['choices'][number]['delta']): ProviderChatCompletionChunk => ({
    ...head,
    choices: [{ delta, index: 0, logprobs: null, finish_reason: null }],
  })
  const events: SseEvent[] = []
  let textStarted = false
  for (const event of completion.streamEvents({ includeUsage: false })) {
    if (typeof event.data === 'string') {
      events.push(event)
      continue
    }
    const choice = (event.data as ChatCompletionChunk).choices[0]
    if (choice === undefined) continue
    const delta = choice.delta as Json
    if (delta['role'] !== undefined) events.push({ data: chunk({ content: '', role: 'assistant' }) })
    const content = typeof delta['content'] === 'string' ? delta['content'] : ''
    if (content !== '') {
      if (!textStarted) events.push({ data: chunk(shape.strict ? {} : { content_blocks: [{ index: 0, delta: { text: '' } }] }) })
      textStarted = true
      events.push({ data: chunk({ content, ...(shape.strict ? {} : { content_blocks: [{ index: 0, delta: { text: content } }] }) }) })
    }
    const toolCalls = delta['tool_calls'] as ProviderChatCompletionChunk['choices'][number]['delta']['tool_calls']
    if (toolCalls !== undefined && toolCalls.length > 0) events.push({ data: chunk({ tool_calls: toolCalls }) })
    if (choice.finish_reason !== null) {
      const finish: ProviderChatCompletionChunk = {
        ...head,
        choices: [{ index: 0, delta: {}, finish_reason: anthropicFinish(choice.finish_reason, shape.strict) }],
        usage: anthropicUsage(completion.body.usage),
      }
      events.push({ data: finish })
    }
  }
  return events
}

/** The events the gateway streams for a completion from `shape.provider` (`includeUsage`: the body's `stream_options`). */
export function providerEvents(completion: Completion, shape: ResponseShape, includeUsage: boolean): SseEvent[] {
  if (completion.api === 'chat' && shape.provider === 'anthropic') return anthropicChatChunks(completion, shape)
  const events = completion.streamEvents({ includeUsage })
  if (completion.api === 'messages' || shape.provider === 'openai') return events
  return events.map((e) => (typeof e.data === 'string' ? e : { ...e, data: { ...(e.data as Json), provider: shape.provider } }))
}

/** A provider's refusal as the gateway relays it: `{"error":{"message":"<provider> error: …",…},"provider"}`. */
export function providerError(provider: string, message: string, param: string | null, type = 'invalid_request_error'): ProviderError {
  return { error: { message: `${provider} error: ${message}`, type, param, code: null }, provider }
}
