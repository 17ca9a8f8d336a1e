// FastAPI's `HTTPBearer` security dependency (fastapi/security/http.py), after Starlette's routing.
import type { Request } from 'express'
import { HttpError } from '../../http/http-error.ts'
import type { Operation } from '../../openapi/operations.ts'
import type { Grant, VendorContext } from '../vendor.ts'
import {
  allowHeader,
  INVALID_API_KEY,
  INVALID_SCHEME_LEGACY,
  METHOD_NOT_ALLOWED,
  NOT_AUTHENTICATED,
  NOT_AUTHENTICATED_LEGACY,
  ROUTE_NOT_FOUND,
} from './errors.ts'

/** FastAPI's `get_authorization_scheme_param`: split at the first space. */
function schemeAndCredentials(header: string | undefined): { scheme: string; credentials: string } {
  if (header === undefined || header === '') return { scheme: '', credentials: '' }
  const space = header.indexOf(' ')
  if (space < 0) return { scheme: header, credentials: '' }
  return { scheme: header.slice(0, space), credentials: header.slice(space + 1).trim() }
}

export function authenticate(legacy: boolean) {
  return (req: Request, operation: Operation | null, ctx: VendorContext): Grant | null => {
    if (operation === null) {
      // Starlette routes before any dependency runs: 404/405 without reading the key or the body.
      const match = ctx.operations.match(req.method, req.path)
      const allowed = match.operation === null ? match.allowed : []
      throw allowed.length > 0
        ? HttpError.fromTemplate(METHOD_NOT_ALLOWED, { headers: { Allow: allowHeader(allowed) } })
        : HttpError.fromTemplate(ROUTE_NOT_FOUND)
    }
    const { scheme, credentials } = schemeAndCredentials(req.headers.authorization)
    if (scheme === '' || credentials === '') throw HttpError.fromTemplate(legacy ? NOT_AUTHENTICATED_LEGACY : NOT_AUTHENTICATED)
    if (scheme.toLowerCase() !== 'bearer') throw HttpError.fromTemplate(legacy ? INVALID_SCHEME_LEGACY : NOT_AUTHENTICATED)
    const resolved = ctx.keys.resolve('pulze', credentials)
    if (resolved === null) throw HttpError.fromTemplate(INVALID_API_KEY)
    return { apiKey: credentials, tenant: resolved.tenant, info: resolved.info }
  }
}

/** The Bearer credentials as FastAPI reads them; null when there are none. */
export function apiKeyOf(req: Request): string | null {
  const { scheme, credentials } = schemeAndCredentials(req.headers.authorization)
  return scheme.toLowerCase() === 'bearer' && credentials !== '' ? credentials : null
}
