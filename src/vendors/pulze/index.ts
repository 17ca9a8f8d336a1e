// The Pulze vendor module: the completions API (each call a log) and the logs API (rate, get, search) of a
// FastAPI + pydantic v2 service, under `/pulze`.
import type { VendorModule } from '../vendor.ts'
import { apiKeyOf, authenticate } from './auth.ts'
import { pulzeErrors } from './errors.ts'
import { emptyState, pulzeFixtures } from './fixtures.ts'
import { createHandlers } from './handlers.ts'
import { pydanticValidator } from './pydantic-validation.ts'

export type PulzeVendorOptions = {
  /**
   * Answer a missing or non-Bearer `Authorization` header as FastAPI < 0.122 did (403), instead of the
   * current 401 + `WWW-Authenticate: Bearer`.
   */
  legacyAuthStatus?: boolean
  /** Answer completions with `finish_reason: null`, as Pulze's own notebook output showed (default: the model's reason). */
  nullFinishReason?: boolean
}

export function createPulzeVendor(options: PulzeVendorOptions = {}): VendorModule {
  return {
    name: 'pulze',
    // FastAPI reads the body before its security dependency runs: malformed JSON is a 422 even without a key.
    parseBodyBeforeAuth: true,
    errors: pulzeErrors,
    apiKeyOf,
    frameworkValidator: pydanticValidator,
    authenticate: authenticate(options.legacyAuthStatus ?? false),
    createHandlers: (ctx) => createHandlers(ctx, { nullFinishReason: options.nullFinishReason ?? false }),
    emptyState,
    fixtures: pulzeFixtures,
  }
}
