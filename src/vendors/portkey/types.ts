// Aliases into the types generated from specs/portkey.yaml (the API) and specs/emulator.yaml (the records).
import type { components as EmulatorComponents } from '../../generated/emulator.ts'
import type { components as LlmComponents } from '../../generated/llm-apis.ts'
import type { components, operations } from '../../generated/portkey.ts'

type Schemas = components['schemas']
type LlmSchemas = LlmComponents['schemas']

export type FeedbackRequest = Schemas['FeedbackRequest']
export type FeedbackUpdateRequest = Schemas['FeedbackUpdateRequest']
export type FeedbackResponse = Schemas['FeedbackResponse']
export type CustomLog = Schemas['CustomLog']
export type LogInsertResponse = Schemas['LogInsertResponse']
export type ErrorResponse = Schemas['ErrorResponse']
export type ErrorCode = ErrorResponse['data']['errorCode']
export type FeedbacksGraph = Schemas['FeedbacksGraph']
export type FeedbackScoresGraph = Schemas['FeedbackScoresGraph']
export type WeightedFeedbacksGraph = Schemas['WeightedFeedbacksGraph']
export type FeedbackAiModelsGraph = Schemas['FeedbackAiModelsGraph']

/** The shared query of every feedback graph (all five operations declare the same parameters). */
export type AnalyticsQuery = operations['getFeedbacksGraph']['parameters']['query']

/** A fixture block (`specs/emulator.yaml#/components/schemas/PortkeyTenant`). */
export type PortkeyTenantBlock = EmulatorComponents['schemas']['PortkeyTenant']
export type Generation = EmulatorComponents['schemas']['PortkeyGeneration']
export type Feedback = EmulatorComponents['schemas']['PortkeyFeedback']
/** An entry of the `portkey` block of a `--keys` file. */
export type PortkeyKeyEntry = EmulatorComponents['schemas']['PortkeyKey']
export type KeyType = PortkeyKeyEntry['type']

/** What one tenant stores: the fixture block without its key. */
export type TenantState = { generations: Generation[]; feedback: Feedback[] }

/**
 * A feedback as the create handler receives it. `weight` may be absent although the schema has a default:
 * ajv fills no defaults inside `oneOf` (the body is an object or an array), so the service applies 1.0.
 */
export type FeedbackInput = Omit<FeedbackRequest, 'weight'> & { weight?: number }

// The gateway routes: Portkey's own bodies, and the shared LLM API bodies (specs/llm-apis.yaml).
export type GatewayFailure = Schemas['GatewayFailure']
export type ProviderError = Schemas['ProviderError']
export type ProviderChatCompletion = Schemas['ProviderChatCompletion']
export type ProviderChatCompletionChunk = Schemas['ProviderChatCompletionChunk']
export type ChatCompletionResponse = LlmSchemas['CreateChatCompletionResponse']
export type ChatCompletionChunk = LlmSchemas['CreateChatCompletionStreamResponse']
