// OpenAI's APIs: chat completions, legacy completions and embeddings. Requests are read loosely (a gateway
// may pass anything through), responses and stream chunks are built in the shapes of specs/llm-apis.yaml.
import {
  planAnswers,
  type Answer,
  type CompletionOutcome,
  type FinishReason,
  type Prompt,
  type ToolChoice,
  type ToolSpec,
} from './answer.ts'
import { alphanumeric, seededRandom, sha256Hex } from './deterministic.ts'
import { splitEvenly, splitText } from './stream-pieces.ts'
import { countChatPrompt, countFunctions, type CountedMessage, type TokenCounter } from './tokens.ts'
import type {
  ChatCompletionChunk,
  ChatCompletionMessageToolCall,
  ChatCompletionResponse,
  CompletionUsage,
  EmbeddingResponse,
  TextCompletionResponse,
} from './types.ts'

/** The parts of a response the engine picks (ids, time, model) rather than derives from the request. */
export type ResponseMeta = {
  id: string
  /** As the body carries it: seconds for OpenAI (Pulze writes milliseconds). */
  created: number
  model: string
  /** Tool call ids derive from it. */
  seed: string
  systemFingerprint: string
}

/** One data object of a server-sent event; `data: '[DONE]'` ends OpenAI streams. */
export type SseEvent = { event?: string; data: unknown }

type Json = Record<string, unknown>

// ---------------------------------------------------------------------------------------------- chat

export type ChatPlan = {
  prompt: Prompt
  /** `functions`/`function_call` (deprecated) instead of `tools`: answers carry `function_call`. */
  legacyFunctions: boolean
  promptTokens: number
  stream: boolean
  includeUsage: boolean
}

/** A chat completions request reduced to a `Prompt`, with its prompt tokens by OpenAI's formula. */
export function planChat(body: unknown, model: string, counter: TokenCounter): ChatPlan {
  const request = asObject(body)
  const messages = Array.isArray(request['messages']) ? request['messages'].map(asObject) : []
  const counted: CountedMessage[] = []
  let lastUserText = ''
  for (const message of messages) {
    const role = typeof message['role'] === 'string' ? message['role'] : 'user'
    const { text, images } = contentText(message['content'])
    const extra: string[] = []
    if (typeof message['tool_call_id'] === 'string') extra.push(message['tool_call_id'])
    for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'].map(asObject) : []) {
      const fn = asObject(call['function'])
      extra.push(String(fn['name'] ?? ''), String(fn['arguments'] ?? ''))
    }
    const functionCall = asObject(message['function_call'])
    if (typeof functionCall['name'] === 'string') extra.push(functionCall['name'], String(functionCall['arguments'] ?? ''))
    const entry: CountedMessage = { role, text, images, extra }
    if (typeof message['name'] === 'string') entry.name = message['name']
    counted.push(entry)
    if (role === 'user' && text !== '') lastUserText = text
  }
  const last = messages.at(-1)
  const toolResult =
    last !== undefined && (last['role'] === 'tool' || last['role'] === 'function') ? contentText(last['content']).text : undefined

  const tools: ToolSpec[] = []
  for (const tool of Array.isArray(request['tools']) ? request['tools'].map(asObject) : []) {
    if (tool['type'] !== 'function') continue // custom (free-text) tools are never called by the emulator
    const fn = asObject(tool['function'])
    if (typeof fn['name'] === 'string') tools.push(toolSpec(fn))
  }
  let legacyFunctions = false
  let toolChoice: ToolChoice = { kind: tools.length > 0 ? 'auto' : 'none' }
  if (tools.length > 0) {
    toolChoice = chatToolChoice(request['tool_choice'])
  } else if (Array.isArray(request['functions']) && request['functions'].length > 0) {
    legacyFunctions = true
    for (const fn of request['functions'].map(asObject)) if (typeof fn['name'] === 'string') tools.push(toolSpec(fn))
    const call = request['function_call']
    toolChoice =
      call === 'none'
        ? { kind: 'none' }
        : typeof asObject(call)['name'] === 'string'
          ? { kind: 'named', name: asObject(call)['name'] as string }
          : { kind: 'auto' }
  }

  const format = asObject(request['response_format'])
  const json =
    format['type'] === 'json_object'
      ? {}
      : format['type'] === 'json_schema'
        ? { schema: asObject(format['json_schema'])['schema'] ?? { type: 'object' } }
        : undefined

  const prompt: Prompt = {
    model,
    lastUserText,
    toolResult,
    tools,
    toolChoice,
    json,
    maxTokens: nonNegativeInteger(request['max_completion_tokens']) ?? nonNegativeInteger(request['max_tokens']),
    stop: stopSequences(request['stop']),
    n: Math.min(128, Math.max(1, nonNegativeInteger(request['n']) ?? 1)),
  }
  const promptTokens =
    countChatPrompt(counter, counted) +
    countFunctions(
      counter,
      tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
    )
  return {
    prompt,
    legacyFunctions,
    promptTokens,
    stream: request['stream'] === true,
    includeUsage: asObject(request['stream_options'])['include_usage'] === true,
  }
}

function chatToolChoice(choice: unknown): ToolChoice {
  if (choice === 'none') return { kind: 'none' }
  if (choice === 'required') return { kind: 'required' }
  const object = asObject(choice)
  if (object['type'] === 'function') {
    const name = asObject(object['function'])['name']
    if (typeof name === 'string') return { kind: 'named', name }
  }
  if (object['type'] === 'allowed_tools') {
    const allowed = asObject(object['allowed_tools'])
    const names = (Array.isArray(allowed['tools']) ? allowed['tools'] : [])
      .map((t) => asObject(asObject(t)['function'])['name'])
      .filter((n): n is string => typeof n === 'string')
    return { kind: 'allowed', names }
  }
  if (object['type'] === 'custom') return { kind: 'none' }
  return { kind: 'auto' }
}

export function buildChatResponse(meta: ResponseMeta, plan: ChatPlan, answers: Answer[], usage: CompletionUsage): ChatCompletionResponse {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: answers.map((answer, index) => ({
      index,
      message: chatMessage(meta, answer, index, plan.legacyFunctions),
      logprobs: null,
      finish_reason: chatFinishReason(answer.finish, plan.legacyFunctions),
    })),
    usage,
    service_tier: 'default',
    system_fingerprint: meta.systemFingerprint,
  }
}

function chatMessage(
  meta: ResponseMeta,
  answer: Answer,
  choice: number,
  legacy: boolean,
): ChatCompletionResponse['choices'][number]['message'] {
  if (answer.calls.length === 0) return { role: 'assistant', content: answer.text, refusal: null, annotations: [] }
  if (legacy) {
    const call = answer.calls[0]!
    return {
      role: 'assistant',
      content: null,
      function_call: { name: call.name, arguments: call.arguments },
      refusal: null,
      annotations: [],
    }
  }
  return { role: 'assistant', content: null, tool_calls: toolCalls(meta, answer, choice), refusal: null, annotations: [] }
}

function toolCalls(meta: ResponseMeta, answer: Answer, choice: number): ChatCompletionMessageToolCall[] {
  return answer.calls.map((call, i) => ({
    id: call.id ?? `call_${alphanumeric(`${meta.seed}\u0000call\u0000${choice}\u0000${i}`, 24)}`,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }))
}

function chatFinishReason(finish: FinishReason, legacy: boolean): ChatCompletionResponse['choices'][number]['finish_reason'] {
  if (finish === 'tool_calls') return legacy ? 'function_call' : 'tool_calls'
  return finish === 'stop_sequence' ? 'stop' : finish
}

/**
 * The `chat.completion.chunk`s of a completion, as OpenAI streams them: per choice a first chunk with the
 * role (and each tool call's id and name), the content (or the arguments) in a few deltas, a chunk with
 * only `finish_reason`; then, with `includeUsage`, a last chunk with `choices: []` and the usage (every
 * other chunk then carries `usage: null`); then `[DONE]`.
 */
export function chatStreamEvents(
  meta: ResponseMeta,
  plan: ChatPlan,
  answers: Answer[],
  usage: CompletionUsage,
  options: { includeUsage: boolean; pieces?: number | undefined },
): SseEvent[] {
  const chunk = (choices: ChatCompletionChunk['choices']): ChatCompletionChunk => ({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    service_tier: 'default',
    system_fingerprint: meta.systemFingerprint,
    choices,
    ...(options.includeUsage ? { usage: null } : {}),
  })
  const events: SseEvent[] = []
  answers.forEach((answer, index) => {
    const delta = (d: ChatCompletionChunk['choices'][number]['delta']): void => {
      events.push({ data: chunk([{ index, delta: d, logprobs: null, finish_reason: null }]) })
    }
    if (answer.calls.length === 0) {
      delta({ role: 'assistant', content: '', refusal: null })
      for (const piece of splitText(answer.text, options.pieces)) delta({ content: piece })
    } else if (plan.legacyFunctions) {
      const call = answer.calls[0]!
      delta({ role: 'assistant', content: null, function_call: { name: call.name, arguments: '' }, refusal: null })
      for (const piece of splitEvenly(call.arguments, options.pieces)) delta({ function_call: { arguments: piece } })
    } else {
      toolCalls(meta, answer, index).forEach((call, i) => {
        const head = { index: i, id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: '' } }
        delta(i === 0 ? { role: 'assistant', content: null, tool_calls: [head], refusal: null } : { tool_calls: [head] })
        for (const piece of splitEvenly(call.function.arguments, options.pieces))
          delta({ tool_calls: [{ index: i, function: { arguments: piece } }] })
      })
    }
    events.push({
      data: chunk([{ index, delta: {}, logprobs: null, finish_reason: chatFinishReason(answer.finish, plan.legacyFunctions) }]),
    })
  })
  if (options.includeUsage) events.push({ data: { ...chunk([]), usage } })
  events.push({ data: '[DONE]' })
  return events
}

// ---------------------------------------------------------------------------------------------- legacy completions

export type TextPlan = {
  /** One prompt per `prompt` entry (a string, or token ids). */
  prompts: { prompt: Prompt; text: string; tokens: number }[]
  echo: boolean
  stream: boolean
  includeUsage: boolean
}

export function planTextCompletion(body: unknown, model: string, counter: TokenCounter): TextPlan {
  const request = asObject(body)
  const raw = request['prompt'] ?? '<|endoftext|>'
  const entries: (string | number[])[] =
    typeof raw === 'string'
      ? [raw]
      : Array.isArray(raw) && raw.every((t) => typeof t === 'number')
        ? [raw as number[]]
        : Array.isArray(raw)
          ? raw.map((p) => (typeof p === 'string' ? p : Array.isArray(p) ? (p.filter((t) => typeof t === 'number') as number[]) : ''))
          : ['']
  const n = Math.min(128, Math.max(1, nonNegativeInteger(request['n']) ?? 1))
  const maxTokens = nonNegativeInteger(request['max_tokens']) ?? 16 // the legacy API's default
  const stop = stopSequences(request['stop'])
  return {
    prompts: entries.map((entry) => {
      const text = typeof entry === 'string' ? entry : ''
      return {
        text,
        tokens: typeof entry === 'string' ? counter.count(entry) : entry.length,
        prompt: { model, lastUserText: text, tools: [], toolChoice: { kind: 'none' }, maxTokens, stop, n },
      }
    }),
    echo: request['echo'] === true,
    stream: request['stream'] === true,
    includeUsage: asObject(request['stream_options'])['include_usage'] === true,
  }
}

/** Answers per prompt, in OpenAI's order (prompt 0's `n` choices, then prompt 1's…); tool calls become JSON text. */
export function planTextAnswers(plan: TextPlan, outcome: CompletionOutcome | undefined, counter: TokenCounter): Answer[] {
  return plan.prompts.flatMap(({ prompt }) =>
    planAnswers(prompt, outcome, counter).map((answer) =>
      answer.calls.length === 0
        ? answer
        : { ...answer, text: JSON.stringify(answer.calls.map((c) => ({ name: c.name, arguments: c.arguments }))), calls: [] },
    ),
  )
}

function textFinishReason(finish: FinishReason): TextCompletionResponse['choices'][number]['finish_reason'] {
  return finish === 'length' || finish === 'content_filter' ? finish : 'stop'
}

export function buildTextCompletionResponse(
  meta: ResponseMeta,
  plan: TextPlan,
  answers: Answer[],
  usage: CompletionUsage,
): TextCompletionResponse {
  const n = plan.prompts[0]?.prompt.n ?? 1
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices: answers.map((answer, index) => ({
      index,
      text: plan.echo ? `${plan.prompts[Math.floor(index / n)]?.text ?? ''}${answer.text}` : answer.text,
      logprobs: null,
      finish_reason: textFinishReason(answer.finish),
    })),
    usage,
  }
}

/** Legacy completions stream as `text_completion` chunks: the text in a few pieces per choice, a last one with the finish reason. */
export function textStreamEvents(
  meta: ResponseMeta,
  plan: TextPlan,
  answers: Answer[],
  usage: CompletionUsage,
  options: { includeUsage: boolean; pieces?: number | undefined },
): SseEvent[] {
  const n = plan.prompts[0]?.prompt.n ?? 1
  // Not typed as CreateCompletionResponse: a chunk's `finish_reason` is null until the last, which OpenAI's
  // schema (written for the whole response) does not allow.
  const chunk = (choices: Json[]): Json => ({
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices,
    ...(options.includeUsage ? { usage: null } : {}),
  })
  const events: SseEvent[] = []
  answers.forEach((answer, index) => {
    const text = plan.echo ? `${plan.prompts[Math.floor(index / n)]?.text ?? ''}${answer.text}` : answer.text
    for (const piece of splitText(text, options.pieces)) {
      events.push({ data: chunk([{ index, text: piece, logprobs: null, finish_reason: null }]) })
    }
    events.push({ data: chunk([{ index, text: '', logprobs: null, finish_reason: textFinishReason(answer.finish) }]) })
  })
  if (options.includeUsage) events.push({ data: { ...chunk([]), usage } })
  events.push({ data: '[DONE]' })
  return events
}

// ---------------------------------------------------------------------------------------------- embeddings

/** Native dimensions of the known embedding models (OpenAI and Google model pages); others get 1536. */
const NATIVE_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'gemini-embedding-001': 3072,
}
const DEFAULT_DIMENSIONS = 1536
/** The largest vector the emulator makes for a model it does not know. */
export const MAX_DIMENSIONS = 4096

/** A request the API itself would refuse (OpenAI answers these with 400 `invalid_request_error`). */
export class CompletionRequestError extends Error {
  readonly param: string | null
  constructor(message: string, param: string | null) {
    super(message)
    this.name = 'CompletionRequestError'
    this.param = param
  }
}

export type EmbeddingPlan = { inputs: (string | number[])[]; dimensions: number; native: number; base64: boolean; promptTokens: number }

export function planEmbeddings(body: unknown, model: string, counter: TokenCounter): EmbeddingPlan {
  const request = asObject(body)
  const raw = request['input']
  const inputs: (string | number[])[] =
    typeof raw === 'string'
      ? [raw]
      : Array.isArray(raw) && raw.length > 0 && raw.every((t) => typeof t === 'number')
        ? [raw as number[]]
        : Array.isArray(raw)
          ? raw.map((p) => (typeof p === 'string' ? p : Array.isArray(p) ? (p.filter((t) => typeof t === 'number') as number[]) : ''))
          : []
  const name = model.slice(model.lastIndexOf('/') + 1)
  const known = Object.keys(NATIVE_DIMENSIONS).find((k) => name === k || name.startsWith(`${k}-`))
  const requested = nonNegativeInteger(request['dimensions'])
  if (requested !== undefined && known === 'text-embedding-ada-002') {
    throw new CompletionRequestError('This model does not support specifying dimensions.', 'dimensions')
  }
  const native = known !== undefined ? NATIVE_DIMENSIONS[known]! : Math.max(DEFAULT_DIMENSIONS, requested ?? 0)
  if (requested !== undefined && requested > Math.min(native, MAX_DIMENSIONS)) {
    throw new CompletionRequestError(
      `Invalid value for 'dimensions' = ${requested}. Must be at most ${Math.min(native, MAX_DIMENSIONS)}.`,
      'dimensions',
    )
  }
  let promptTokens = 0
  for (const input of inputs) promptTokens += typeof input === 'string' ? counter.count(input) : input.length
  return { inputs, dimensions: requested ?? native, native, base64: request['encoding_format'] === 'base64', promptTokens }
}

/**
 * Deterministic unit vectors: `native` gaussian components seeded by SHA-256(model, input), cut to
 * `dimensions` and renormalised (what OpenAI does for `dimensions` on the text-embedding-3 models), each
 * component rounded to float32 as the API's are. `base64`: the little-endian float32 bytes, base64.
 */
export function buildEmbeddingResponse(
  model: string,
  plan: EmbeddingPlan,
  usage: { prompt_tokens: number; total_tokens: number },
): EmbeddingResponse {
  return {
    object: 'list',
    model,
    data: plan.inputs.map((input, index) => {
      const vector = unitVector(`${model}\u0000${typeof input === 'string' ? input : JSON.stringify(input)}`, plan.native, plan.dimensions)
      return { object: 'embedding', index, embedding: plan.base64 ? float32Base64(vector) : vector }
    }),
    usage,
  }
}

export function unitVector(seed: string, native: number, dimensions: number): number[] {
  const random = seededRandom(seed)
  const full: number[] = []
  while (full.length < native) {
    // Box–Muller: two uniforms → two standard normals
    const u = 1 - random()
    const v = random()
    const r = Math.sqrt(-2 * Math.log(u))
    full.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v))
  }
  const cut = full.slice(0, dimensions)
  const norm = Math.sqrt(cut.reduce((sum, x) => sum + x * x, 0)) || 1
  return cut.map((x) => Math.fround(x / norm))
}

function float32Base64(vector: number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4))
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true))
  return Buffer.from(view.buffer).toString('base64')
}

// ---------------------------------------------------------------------------------------------- shared

/**
 * OpenAI's usage object. Chat answers carry the detail blocks current models return (all 0: no cache, audio
 * or reasoning); the legacy completions API reports the three totals only.
 */
export function openAiUsage(promptTokens: number, completionTokens: number, details = true): CompletionUsage {
  const totals = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
  if (!details) return totals
  return {
    ...totals,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0, cache_write_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  }
}

/** `fp_` and 10 hex digits derived from the model, stable like a deployment's fingerprint. */
export function systemFingerprint(model: string): string {
  return `fp_${sha256Hex('fingerprint', model).slice(0, 10)}`
}

function toolSpec(fn: Json): ToolSpec {
  return {
    name: fn['name'] as string,
    description: typeof fn['description'] === 'string' ? fn['description'] : '',
    parameters: fn['parameters'] ?? {},
  }
}

/** The text of a message content (a string, or text parts joined by newlines) and how many image parts it has. */
export function contentText(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 }
  if (!Array.isArray(content)) return { text: '', images: 0 }
  const texts: string[] = []
  let images = 0
  for (const part of content.map(asObject)) {
    if ((part['type'] === 'text' || part['type'] === 'refusal') && typeof (part['text'] ?? part['refusal']) === 'string') {
      texts.push((part['text'] ?? part['refusal']) as string)
    } else if (part['type'] === 'image_url' || part['type'] === 'image') images++
  }
  return { text: texts.join('\n'), images }
}

export function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {}
}

export function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

export function stopSequences(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string').slice(0, 16) : []
}
