// The Helicone vendor module: jawn's score, feedback, request-query and scores-dashboard endpoints, and the
// worker's manual logging routes, under `/helicone`.
import type { VendorModule } from '../vendor.ts'
import { apiKeyOf, authenticate } from './auth.ts'
import { heliconeErrors } from './errors.ts'
import { heliconeFixtures } from './fixtures.ts'
import { createHandlers } from './handlers.ts'
import { emptyHeliconeState } from './service.ts'
import { tsoaValidator } from './tsoa-validation.ts'

export function createHeliconeVendor(): VendorModule {
  return {
    name: 'helicone',
    errors: heliconeErrors,
    apiKeyOf,
    frameworkValidator: tsoaValidator,
    authenticate,
    createHandlers,
    emptyState: (grant) => emptyHeliconeState(grant),
    fixtures: heliconeFixtures,
  }
}
