// The Helicone vendor module: jawn's score, feedback, request-query and scores-dashboard endpoints, the
// worker's manual logging routes, and the worker's LLM routes (proxy and AI gateway), under `/helicone`.
import type { VendorModule } from '../vendor.ts'
import { apiKeyOf, authenticate } from './auth.ts'
import { heliconeErrors } from './errors.ts'
import { heliconeFixtures } from './fixtures.ts'
import { createHandlers } from './handlers.ts'
import { providerValidator } from './llm/provider-errors.ts'
import { emptyHeliconeState } from './service.ts'
import { tsoaValidator } from './tsoa-validation.ts'

export function createHeliconeVendor(): VendorModule {
  return {
    name: 'helicone',
    errors: heliconeErrors,
    apiKeyOf,
    frameworkValidator: [tsoaValidator, providerValidator],
    authenticate,
    createHandlers,
    emptyState: (grant) => emptyHeliconeState(grant),
    fixtures: heliconeFixtures,
  }
}
