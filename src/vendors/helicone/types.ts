import type { components as emulator } from '../../generated/emulator.ts'
import type { components } from '../../generated/helicone.ts'

type Schemas = components['schemas']

export type DataOverTimeRequest = Schemas['DataOverTimeRequest']
export type TimeIncrement = Schemas['TimeIncrement']
export type FilterNode = Schemas['RequestClickhouseFilterNode']
export type FilterBranch = Schemas['RequestClickhouseFilterBranch']
export type FilterLeaf = Schemas['FilterLeafSubset_request_response_rmt']
export type RmtOperators = Schemas['RequestResponseRMTToOperators']
export type ScoreRequest = Schemas['ScoreRequest']
export type ScoreOverTimeRow = Schemas['ScoreOverTimeRow']
export type RequestQueryParams = Schemas['RequestQueryParams']
export type SortLeafRequest = Schemas['SortLeafRequest']
export type HeliconeRequest = Schemas['HeliconeRequest']
export type AsyncLogRequest = Schemas['AsyncLogRequest']

export type HeliconeTenant = emulator['schemas']['HeliconeTenant']
export type HeliconeRequestRecord = emulator['schemas']['HeliconeRequestRecord']
export type HeliconePendingScore = emulator['schemas']['HeliconePendingScore']
export type HeliconeKey = emulator['schemas']['HeliconeKey']

/** A tenant's stored state: one organization's requests (latest version of each) and its scores in flight. */
export type HeliconeState = {
  organizationId: string
  requests: HeliconeRequestRecord[]
  pendingScores: HeliconePendingScore[]
}
