import { heliconeVendor } from './helicone/index.ts'
import { portkeyVendor } from './portkey/index.ts'
import { pulzeVendor } from './pulze/index.ts'
import type { VendorModule } from './vendor.ts'

/** Every vendor the emulator serves, in the order of the banner. */
export const VENDORS: readonly VendorModule[] = [portkeyVendor, heliconeVendor, pulzeVendor]
