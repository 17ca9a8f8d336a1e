/**
 * # The completion engine
 *
 * Deterministic fake LLM answers for the vendors' gateway routes. No provider is called; the same request
 * gets the same answer on every run and machine. Pure except for the token encodings it imports on first
 * use and the latency it waits.
 *
 * ```ts
 * const engine = createCompletionEngine({ latencyMs: 20 })          // one per emulator
 * const completion = await engine.complete({
 *   api: 'chat',                       // 'chat' | 'completions' | 'embeddings' | 'messages' (Anthropic)
 *   body: req.body,                    // as the app sent it
 *   vendor: 'portkey', model: 'gpt-4o-mini',                         // model as the vendor resolved it
 *   override: heliconeMock,            // optional: forces the answer (a CompletionOutcome)
 *   id, created,                       // optional: the vendor's own id / timestamp unit (Pulze: uuid, ms)
 * })
 * completion.body                      // the response body, valid against specs/llm-apis.yaml
 * completion.usage                     // { promptTokens, completionTokens, totalTokens, encoding, exact }
 * completion.content / .toolCalls / .finishReason   // choice 0, for the vendor's log record
 * if (completion.stream) {
 *   const result = await writeSse(res, completion.streamEvents({ includeUsage }), { startedAt, delayMs, headers })
 *   result.completed / .disconnected / .eventsWritten / .timeToFirstByteMs   // what to log
 * }
 * engine.rules.add(rule) / .list() / .replace(rules) / .clear()     // scripted answers (CompletionRule)
 * ```
 *
 * - **What is answered**, in order: the `override`; else the first matching rule (`vendor`, `model`, and
 *   `match`, a substring or an RE2 regex of the last user message; `times` counts down); else, generated:
 *   a closing text when the conversation ends with a tool result; a tool call when tools are offered and
 *   `tool_choice` allows (the named tool, else the one sharing most words with the message; arguments are
 *   an instance of its JSON schema); a JSON value for `response_format` json_object/json_schema (Anthropic
 *   `output_config.format`); else a short text naming the model and quoting the message, with a hash ref.
 *   `n`, `stop`/`stop_sequences` and `max_tokens` apply to generated text (finish `length`/`stop_sequence`).
 * - **Usage**: OpenAI-family models with their real encoding (o200k_base or cl100k_base) and OpenAI's
 *   per-message and per-function formulas; other models ~4 characters per token (`exact: false`).
 * - **Ids**: `chatcmpl-`/`cmpl-`/`msg_01` + a hash of the request and the engine's call count (unique
 *   per call, identical across runs that make the same calls); `created` from the engine clock in seconds.
 * - **Streaming**: `streamEvents()` gives the events of the API's stream (OpenAI chunks ending in
 *   `[DONE]`, with a `choices: []` usage chunk when asked; legacy completion chunks; Anthropic's named
 *   events). Vendors add their own fields to `body` or to the event data before writing.
 * - **Errors**: `complete` rejects only with `CompletionRequestError` (e.g. embeddings `dimensions` the model
 *   cannot give), for the vendor to render as the API's 400; `rules.add` throws `CompletionRuleError`
 *   listing each fault with its JSON path.
 * - **Latency**: `latencyMs` (engine default or per call) is waited before `complete` resolves, so it shows
 *   before the first byte; `writeSse`'s `delayMs` spaces the events.
 */
export { createCompletionEngine } from './engine.ts'
export type {
  Completion,
  CompletionApi,
  CompletionEngine,
  CompletionEngineOptions,
  CompletionRequest,
  StreamOptions,
  TokenUsage,
} from './engine.ts'
export type { CompletionOutcome } from './answer.ts'
export { CompletionRequestError, type SseEvent } from './openai.ts'
export {
  CompletionRuleError,
  createCompletionRuleSet,
  MAX_MATCHED_CHARS,
  MAX_RULES,
  type CompletionRuleSet,
  type RuleContext,
} from './rules.ts'
export { formatSseEvent, sleep, writeSse, type SseProgress, type SseWriteOptions, type SseWriteResult } from './sse.ts'
export { encodingForModel, tokenCounterFor, type TokenCounter, type TokenEncoding } from './tokens.ts'
export { schemaInstance } from './schema-instance.ts'
export type { CompletionRule } from './types.ts'
