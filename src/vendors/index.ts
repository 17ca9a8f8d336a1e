import { createHeliconeVendor } from './helicone/index.ts'
import { createPortkeyVendor } from './portkey/index.ts'
import { createPulzeVendor } from './pulze/index.ts'
import type { VendorModule } from './vendor.ts'

/** Every vendor the emulator serves, in the order of the banner. */
export const VENDORS: readonly VendorModule[] = [createPortkeyVendor(), createHeliconeVendor(), createPulzeVendor()]
