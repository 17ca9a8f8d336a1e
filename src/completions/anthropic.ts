// Anthropic's Messages API (docs.anthropic.com/en/api/messages and /en/api/messages-streaming): the request
// reduced to a `Prompt`, the `message` response and its server-sent events.
import type { Answer, FinishReason, Prompt, ToolChoice, ToolSpec } from './answer.ts'
import { alphanumeric } from './deterministic.ts'
import { asObject, contentText, nonNegativeInteger, stopSequences, type ResponseMeta, type SseEvent } from './openai.ts'
import { splitEvenly, splitText } from './stream-pieces.ts'
import { countChatPrompt, countFunctions, type CountedMessage, type TokenCounter } from './tokens.ts'
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStopReason, AnthropicUsage } from './types.ts'

export type MessagesPlan = { prompt: Prompt; promptTokens: number; stream: boolean }

/**
 * A Messages request reduced to a `Prompt`. The last user text skips user turns that only carry
 * `tool_result` blocks; a conversation ending in such a turn is answered with a closing text. Client tools
 * (with an `input_schema`) can be called; Anthropic's own versioned tools (web search, bash…) never are.
 * Input tokens: OpenAI's per-message formula over the system prompt and the messages, with the model's
 * counter (approximate for Claude models), plus the tool definitions.
 */
export function planMessages(body: unknown, model: string, counter: TokenCounter): MessagesPlan {
  const request = asObject(body)
  const counted: CountedMessage[] = []
  const system = request['system']
  if (system !== undefined) counted.push({ role: 'system', text: contentText(system).text })
  const messages = Array.isArray(request['messages']) ? request['messages'].map(asObject) : []
  let lastUserText = ''
  let toolResult: string | undefined
  messages.forEach((message, index) => {
    const role = typeof message['role'] === 'string' ? message['role'] : 'user'
    const blocks = Array.isArray(message['content']) ? message['content'].map(asObject) : []
    const { text, images } = contentText(message['content'])
    const extra: string[] = []
    const results: string[] = []
    for (const block of blocks) {
      if (block['type'] === 'tool_use') extra.push(String(block['name'] ?? ''), JSON.stringify(block['input'] ?? {}))
      if (block['type'] === 'tool_result') {
        const result = contentText(block['content']).text
        extra.push(result)
        results.push(result)
      }
    }
    counted.push({ role, text, images, extra })
    if (role === 'user' && text !== '') lastUserText = text
    if (index === messages.length - 1) toolResult = role === 'user' && results.length > 0 ? results.join('\n') : undefined
  })

  const tools: ToolSpec[] = []
  for (const tool of Array.isArray(request['tools']) ? request['tools'].map(asObject) : []) {
    if (typeof tool['name'] === 'string' && tool['input_schema'] !== undefined && (tool['type'] ?? 'custom') === 'custom') {
      tools.push({
        name: tool['name'],
        description: typeof tool['description'] === 'string' ? tool['description'] : '',
        parameters: tool['input_schema'],
      })
    }
  }
  const format = asObject(asObject(request['output_config'])['format'])
  const prompt: Prompt = {
    model,
    lastUserText,
    toolResult,
    tools,
    toolChoice: messagesToolChoice(request['tool_choice'], tools.length > 0),
    json: format['type'] === 'json_schema' ? { schema: format['schema'] ?? { type: 'object' } } : undefined,
    maxTokens: nonNegativeInteger(request['max_tokens']),
    stop: stopSequences(request['stop_sequences']),
    n: 1,
  }
  const promptTokens = countChatPrompt(counter, counted) + countFunctions(counter, tools)
  return { prompt, promptTokens, stream: request['stream'] === true }
}

function messagesToolChoice(choice: unknown, hasTools: boolean): ToolChoice {
  const object = asObject(choice)
  switch (object['type']) {
    case 'none':
      return { kind: 'none' }
    case 'any':
      return { kind: 'required' }
    case 'tool':
      return typeof object['name'] === 'string' ? { kind: 'named', name: object['name'] } : { kind: 'required' }
    default:
      return { kind: hasTools ? 'auto' : 'none' }
  }
}

export function stopReason(finish: FinishReason): AnthropicStopReason {
  switch (finish) {
    case 'stop':
      return 'end_turn'
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    case 'stop_sequence':
      return 'stop_sequence'
  }
}

export function anthropicUsage(inputTokens: number, outputTokens: number): AnthropicUsage {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  }
}

/** The content blocks of an answer: its text (unless it is only tool calls), then a `tool_use` block per call. */
export function contentBlocks(meta: ResponseMeta, answer: Answer): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = []
  if (answer.text !== '' || answer.calls.length === 0) blocks.push({ type: 'text', text: answer.text })
  answer.calls.forEach((call, i) => {
    blocks.push({
      type: 'tool_use',
      id: call.id ?? `toolu_01${alphanumeric(`${meta.seed}\u0000toolu\u0000${i}`, 22)}`,
      name: call.name,
      input: parseObject(call.arguments),
    })
  })
  return blocks
}

export function buildMessage(meta: ResponseMeta, answer: Answer, usage: AnthropicUsage): AnthropicMessage {
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: contentBlocks(meta, answer),
    stop_reason: stopReason(answer.finish),
    stop_sequence: answer.stopSequence ?? null,
    usage,
  }
}

/**
 * The events of a streamed Message, each sent as `event: <type>`: `message_start` (empty content, null
 * stop reason, the input tokens), per block `content_block_start`, its deltas (`text_delta`, or
 * `input_json_delta` pieces of a tool call's input), `content_block_stop`; a `ping` after the first block
 * starts (as in Anthropic's documented example); `message_delta` with the stop reason and the output
 * tokens; `message_stop`.
 */
export function messageStreamEvents(
  meta: ResponseMeta,
  answer: Answer,
  usage: AnthropicUsage,
  options: { pieces?: number | undefined },
): SseEvent[] {
  const events: SseEvent[] = []
  const push = (data: { type: string } & Record<string, unknown>): void => {
    events.push({ event: data.type, data })
  }
  push({
    type: 'message_start',
    message: {
      id: meta.id,
      type: 'message',
      role: 'assistant',
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) },
    },
  })
  contentBlocks(meta, answer).forEach((block, index) => {
    if (block.type === 'text') {
      push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
      if (index === 0) push({ type: 'ping' })
      for (const piece of splitText(block.text, options.pieces))
        push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } })
    } else if (block.type === 'tool_use') {
      push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } })
      if (index === 0) push({ type: 'ping' })
      for (const piece of splitEvenly(JSON.stringify(block.input), options.pieces)) {
        push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } })
      }
    }
    push({ type: 'content_block_stop', index })
  })
  push({
    type: 'message_delta',
    delta: { stop_reason: stopReason(answer.finish), stop_sequence: answer.stopSequence ?? null },
    usage: { output_tokens: usage.output_tokens },
  })
  push({ type: 'message_stop' })
  return events
}

function parseObject(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
