// Aliases into the types generated from specs/llm-apis.yaml and specs/emulator.yaml.
import type { components as EmulatorComponents } from '../generated/emulator.ts'
import type { components } from '../generated/llm-apis.ts'

type Schemas = components['schemas']

export type CompletionRule = EmulatorComponents['schemas']['CompletionRule']

// OpenAI (request types are read loosely: a body can lack any field that has a default)
export type ChatCompletionRequest = Schemas['CreateChatCompletionRequest']
export type ChatCompletionResponse = Schemas['CreateChatCompletionResponse']
export type ChatCompletionChunk = Schemas['CreateChatCompletionStreamResponse']
export type ChatCompletionMessageToolCall = Schemas['ChatCompletionMessageToolCall']
export type CompletionUsage = Schemas['CompletionUsage']
export type TextCompletionRequest = Schemas['CreateCompletionRequest']
export type TextCompletionResponse = Schemas['CreateCompletionResponse']
export type EmbeddingRequest = Schemas['CreateEmbeddingRequest']
export type EmbeddingResponse = Schemas['CreateEmbeddingResponse']
export type OpenAiErrorResponse = Schemas['ErrorResponse']

// Anthropic
export type AnthropicMessageRequest = Schemas['AnthropicCreateMessageRequest']
export type AnthropicMessage = Schemas['AnthropicMessage']
export type AnthropicContentBlock = Schemas['AnthropicContentBlock']
export type AnthropicUsage = Schemas['AnthropicUsage']
export type AnthropicStopReason = Schemas['AnthropicStopReason']
export type AnthropicStreamEvent = Schemas['AnthropicMessageStreamEvent']
export type AnthropicErrorResponse = Schemas['AnthropicErrorResponse']
