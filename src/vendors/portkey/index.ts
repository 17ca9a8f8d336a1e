// The Portkey vendor module: feedback, custom logs and the feedback analytics graphs, under `/portkey`.
import type { VendorModule } from '../vendor.ts'
import { apiKeyOf, authenticate } from './auth.ts'
import { portkeyErrors } from './errors.ts'
import { portkeyFixtures } from './fixtures.ts'
import { createHandlers } from './handlers.ts'
import { emptyTenantState } from './service.ts'

export function createPortkeyVendor(): VendorModule {
  return {
    name: 'portkey',
    errors: portkeyErrors,
    apiKeyOf,
    authenticate,
    createHandlers,
    emptyState: () => emptyTenantState(),
    fixtures: portkeyFixtures,
  }
}
