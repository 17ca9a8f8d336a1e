// The Pulze vendor module: the logs API (rate, get, search) of a FastAPI + pydantic v2 service.
import type { Request } from 'express'
import type { Operation } from '../../openapi/operations.ts'
import type { Grant, VendorContext, VendorModule } from '../vendor.ts'
import {
  allowHeader,
  fromTemplate,
  INVALID_API_KEY,
  INVALID_SCHEME_LEGACY,
  METHOD_NOT_ALLOWED,
  NOT_AUTHENTICATED,
  NOT_AUTHENTICATED_LEGACY,
  pulzeErrors,
  ROUTE_NOT_FOUND,
} from './errors.ts'
import { emptyState, pulzeFixtures } from './fixtures.ts'
import { createHandlers } from './routes.ts'

export type PulzeVendorOptions = {
  /**
   * Answer a missing or non-Bearer `Authorization` header as FastAPI < 0.122 did (403), instead of the
   * current 401 + `WWW-Authenticate: Bearer`.
   */
  legacyAuthStatus?: boolean
}

/** FastAPI's `get_authorization_scheme_param`: split at the first space. */
function schemeAndCredentials(header: string | undefined): { scheme: string; credentials: string } {
  if (header === undefined || header === '') return { scheme: '', credentials: '' }
  const space = header.indexOf(' ')
  if (space < 0) return { scheme: header, credentials: '' }
  return { scheme: header.slice(0, space), credentials: header.slice(space + 1).trim() }
}

function authenticate(legacy: boolean) {
  return (req: Request, operation: Operation | null, ctx: VendorContext): Grant | null => {
    if (operation === null) {
      // Starlette routes before any dependency runs: 404/405 without reading the key or the body.
      const match = ctx.operations.match(req.method, req.path)
      const allowed = match.operation === null ? match.allowed : []
      throw allowed.length > 0 ? fromTemplate(METHOD_NOT_ALLOWED, { Allow: allowHeader(allowed) }) : fromTemplate(ROUTE_NOT_FOUND)
    }
    const { scheme, credentials } = schemeAndCredentials(req.headers.authorization)
    if (scheme === '' || credentials === '') throw fromTemplate(legacy ? NOT_AUTHENTICATED_LEGACY : NOT_AUTHENTICATED)
    if (scheme.toLowerCase() !== 'bearer') throw fromTemplate(legacy ? INVALID_SCHEME_LEGACY : NOT_AUTHENTICATED)
    const resolved = ctx.keys.resolve('pulze', credentials)
    if (resolved === null) throw fromTemplate(INVALID_API_KEY)
    return { apiKey: credentials, tenant: resolved.tenant, info: resolved.info }
  }
}

export function createPulzeVendor(options: PulzeVendorOptions = {}): VendorModule {
  return {
    name: 'pulze',
    // FastAPI reads the body before its security dependency runs: malformed JSON is a 422 even without a key.
    parseBodyBeforeAuth: true,
    errors: pulzeErrors,
    authenticate: authenticate(options.legacyAuthStatus ?? false),
    createHandlers,
    emptyState,
    fixtures: pulzeFixtures,
  }
}

export const pulzeVendor: VendorModule = createPulzeVendor()
