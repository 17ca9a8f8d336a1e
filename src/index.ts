export {
  createEmulator,
  ConfigError,
  type Emulator,
  type EmulatorOptions,
  type Override,
  type ResetOptions,
  type ResetResult,
} from './emulator.ts'
export { createControlClient, ControlApiError, type ControlClient, type ControlClientOptions } from './control/client.ts'
export type { FaultRule, FaultRuleState } from './control/fault-rules.ts'
export type { JournalEntry, RequestFilter, RequestMatcher } from './control/journal.ts'
export type { ClockView, ClockChange } from './control/clock.ts'
export type { CoverageReport } from './control/coverage.ts'
export type { Har } from './control/har.ts'
export type { FixtureDocument } from './fixtures/fixture-document.ts'
export type { KeysDocument } from './config/key-registry.ts'
export type { VendorName } from './vendors/vendor-name.ts'
