// The Portkey vendor module: the gateway's LLM routes, feedback, custom logs and the feedback analytics graphs,
// under `/portkey`.
import type { FrameworkValidator, VendorModule } from '../vendor.ts'
import { apiKeyOf, authenticate } from './auth.ts'
import { portkeyErrors } from './errors.ts'
import { portkeyFixtures } from './fixtures.ts'
import { createHandlers } from './handlers.ts'
import { emptyTenantState } from './service.ts'

/**
 * `x-emulator-validated-by: provider` (the gateway routes): the gateway does not validate LLM bodies, the
 * provider behind it does, and its refusal comes back through the gateway with the gateway's headers and is
 * logged. So the pipeline hands the body over as sent and the gateway handlers check it against the route's
 * schema themselves (llm/validation.ts), where the call's trace and provider are known.
 */
const providerValidator: FrameworkValidator = { name: 'provider', compile: () => (parts) => parts }

export function createPortkeyVendor(): VendorModule {
  return {
    name: 'portkey',
    errors: portkeyErrors,
    apiKeyOf,
    authenticate,
    frameworkValidator: providerValidator,
    createHandlers,
    emptyState: () => emptyTenantState(),
    fixtures: portkeyFixtures,
  }
}
