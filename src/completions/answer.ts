// What to answer, decided the same way for every API once its request is reduced to a `Prompt`:
// a forced outcome (vendor override or scripted rule) first, else a tool call, a JSON value or a text.
import { schemaInstance } from './schema-instance.ts'
import { replyText, toolResultReplyText } from './text.ts'
import type { TokenCounter } from './tokens.ts'
import type { CompletionRule } from './types.ts'

export type ToolSpec = { name: string; description: string; parameters: unknown }

export type ToolChoice =
  { kind: 'none' } | { kind: 'auto' } | { kind: 'required' } | { kind: 'named'; name: string } | { kind: 'allowed'; names: string[] }

/** A request of any API, reduced to what decides the answer. */
export type Prompt = {
  model: string
  /** The text of the last user message; what rules match and replies quote. */
  lastUserText: string
  /** Set when the conversation ends with a tool result: the answer is then a closing text. */
  toolResult?: string | undefined
  tools: ToolSpec[]
  toolChoice: ToolChoice
  /** JSON output asked for: `json_schema` (with its schema) or `json_object` (no schema). */
  json?: { schema?: unknown } | undefined
  maxTokens?: number | undefined
  stop: string[]
  /** How many choices (OpenAI `n`). */
  n: number
}

/** The answer's outcome fields: what a rule or a vendor override can force. */
export type CompletionOutcome = Pick<CompletionRule, 'content' | 'toolCalls' | 'json' | 'finishReason' | 'usage'>

/** Finish reasons independent of the API (each API module writes them in its own words). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'stop_sequence'

export type AnswerCall = { id?: string | undefined; name: string; arguments: string }

export type Answer = {
  text: string
  calls: AnswerCall[]
  finish: FinishReason
  /** The stop sequence that ended the text (`finish: 'stop_sequence'`). */
  stopSequence?: string | undefined
  completionTokens: number
}

export type AnswerSource = 'override' | 'rule' | 'generated'

/** One answer per choice (`prompt.n`), all of the same kind. */
export function planAnswers(prompt: Prompt, outcome: CompletionOutcome | undefined, counter: TokenCounter): Answer[] {
  const answers: Answer[] = []
  for (let index = 0; index < prompt.n; index++) {
    const answer = forcedAnswer(outcome) ?? generatedAnswer(prompt, index, counter)
    if (outcome?.finishReason !== undefined) answer.finish = toFinishReason(outcome.finishReason)
    if (outcome?.usage?.completionTokens !== undefined) answer.completionTokens = index === 0 ? outcome.usage.completionTokens : 0
    else answer.completionTokens = countAnswer(answer, counter)
    answers.push(answer)
  }
  return answers
}

function forcedAnswer(outcome: CompletionOutcome | undefined): Answer | undefined {
  if (outcome === undefined) return undefined
  if (outcome.content !== undefined) return { text: outcome.content, calls: [], finish: 'stop', completionTokens: 0 }
  if (outcome.toolCalls !== undefined) {
    const calls = outcome.toolCalls.map((call) => ({
      id: call.id,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
    }))
    return { text: '', calls, finish: 'tool_calls', completionTokens: 0 }
  }
  if (outcome.json !== undefined) return { text: JSON.stringify(outcome.json), calls: [], finish: 'stop', completionTokens: 0 }
  return undefined
}

function generatedAnswer(prompt: Prompt, index: number, counter: TokenCounter): Answer {
  if (prompt.toolResult !== undefined) return limitText(toolResultReplyText(prompt.model, prompt.toolResult, index), prompt, counter)
  const tool = chooseTool(prompt)
  if (tool !== undefined) {
    const args = schemaInstance(tool.parameters ?? { type: 'object' }, `${prompt.model}\u0000${tool.name}`)
    return { text: '', calls: [{ name: tool.name, arguments: JSON.stringify(args ?? {}) }], finish: 'tool_calls', completionTokens: 0 }
  }
  if (prompt.json !== undefined) {
    // JSON answers are never cut by max_tokens or stop sequences: a cut would not parse.
    const value =
      prompt.json.schema === undefined
        ? { answer: replyText(prompt.model, prompt.lastUserText, index) }
        : schemaInstance(prompt.json.schema, prompt.model)
    return { text: JSON.stringify(value), calls: [], finish: 'stop', completionTokens: 0 }
  }
  return limitText(replyText(prompt.model, prompt.lastUserText, index), prompt, counter)
}

/** The text cut at the first stop sequence, then to `maxTokens` tokens. */
function limitText(text: string, prompt: Prompt, counter: TokenCounter): Answer {
  let cut = -1
  let stopSequence: string | undefined
  for (const stop of prompt.stop) {
    const at = stop === '' ? -1 : text.indexOf(stop)
    if (at !== -1 && (cut === -1 || at < cut)) {
      cut = at
      stopSequence = stop
    }
  }
  if (cut !== -1) return { text: text.slice(0, cut), calls: [], finish: 'stop_sequence', stopSequence, completionTokens: 0 }
  if (prompt.maxTokens !== undefined && counter.count(text) > prompt.maxTokens) {
    return { text: counter.truncate(text, prompt.maxTokens), calls: [], finish: 'length', completionTokens: 0 }
  }
  return { text, calls: [], finish: 'stop', completionTokens: 0 }
}

/**
 * The tool to call, or undefined for a text answer. `none` → none; a named tool → that one (even when it is
 * not among `tools`: its arguments are then `{}`); `auto`, `required` and `allowed` → the tool whose name and
 * description share the most words (3+ letters) with the last user message, the first one on a tie.
 */
export function chooseTool(prompt: Prompt): ToolSpec | undefined {
  const choice = prompt.toolChoice
  if (choice.kind === 'none') return undefined
  if (choice.kind === 'named')
    return prompt.tools.find((t) => t.name === choice.name) ?? { name: choice.name, description: '', parameters: {} }
  const candidates = choice.kind === 'allowed' ? prompt.tools.filter((t) => choice.names.includes(t.name)) : prompt.tools
  if (candidates.length === 0) return undefined
  const wanted = words(prompt.lastUserText.slice(0, 4096))
  let best = candidates[0]!
  let bestScore = -1
  for (const tool of candidates) {
    let score = 0
    for (const word of words(`${tool.name.replace(/[_-]+/g, ' ')} ${tool.description.slice(0, 4096)}`)) if (wanted.has(word)) score++
    if (score > bestScore) {
      best = tool
      bestScore = score
    }
  }
  return best
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])
}

function countAnswer(answer: Answer, counter: TokenCounter): number {
  let n = counter.count(answer.text)
  for (const call of answer.calls) n += counter.count(call.name) + counter.count(call.arguments)
  return n
}

/** A rule's finish reason, in either API's words, as the API-neutral reason. */
export function toFinishReason(reason: NonNullable<CompletionRule['finishReason']>): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop':
      return 'stop'
    case 'length':
    case 'max_tokens':
      return 'length'
    case 'tool_calls':
    case 'function_call':
    case 'tool_use':
      return 'tool_calls'
    case 'content_filter':
    case 'refusal':
      return 'content_filter'
    case 'stop_sequence':
      return 'stop_sequence'
  }
}
