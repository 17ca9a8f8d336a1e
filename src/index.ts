export {
  createEmulator,
  ConfigError,
  type Emulator,
  type EmulatorOptions,
  type Override,
  type ResetOptions,
  type ResetResult,
} from './emulator.ts'
export type { FaultRule, FaultRuleState } from './control/fault-rules.ts'
export type { FixtureDocument } from './fixtures/fixture-document.ts'
export type { KeysDocument } from './config/key-registry.ts'
export type { VendorName } from './vendors/vendor-name.ts'
