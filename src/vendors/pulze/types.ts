// Aliases into the types generated from specs/pulze.yaml and specs/emulator.yaml.
import type { components as Emulator } from '../../generated/emulator.ts'
import type { components as Pulze } from '../../generated/pulze.ts'

/** The log object Pulze answers with (rating, get by id, list items). */
export type LogRequest = Pulze['schemas']['LogRequest']
export type LogPage = Pulze['schemas']['Page_LogRequest_']
export type PulzeEngineResponse = Pulze['schemas']['PulzeEngineResponse']
export type LogPayload = Pulze['schemas']['LogPayload']
export type ChatCompletionResponse = Pulze['schemas']['PulzeEngineResponseChatCompletion']
export type TextCompletionResponse = Pulze['schemas']['PulzeEngineResponseCompletion']
export type ResponseMetadata = Pulze['schemas']['PulzeEngineResponseMetadata']
/** The `Pulze-Weights` and `Pulze-Policies` headers as pydantic parses them. */
export type Weights = Pulze['schemas']['LLMModelWeights']
export type Policies = Pulze['schemas']['LLMModelPolicies']
export type RatingRequest = Pulze['schemas']['LogResponseRatingRequest']
export type FilterLogsRequest = Pulze['schemas']['FilterLogsRequest']
export type SortParam = Pulze['schemas']['GetTableSortParams']
export type ValidationErrorItem = Pulze['schemas']['ValidationError']
export type HttpValidationError = Pulze['schemas']['HTTPValidationError']

/** A log as written in a fixture: the log object's fields, most of them optional. */
export type PulzeLogRecord = Emulator['schemas']['PulzeLog']
export type PulzeTenantBlock = Emulator['schemas']['PulzeTenant']

/** A log as stored: every field of the record present, the response with its defaults (filled in when loaded). */
export type StoredLog = Omit<Required<PulzeLogRecord>, 'response'> & { response: PulzeEngineResponse }

/** One app's state. */
export type PulzeState = { appId: string; logs: StoredLog[] }
