// jawn's auth middleware (Helicone/helicone valhalla/jawn/src/middleware/auth.ts): it runs for every
// `/v1/...` path, known or not, and for the logging routes.
import type { Request } from 'express'
import { HttpError } from '../../http/http-error.ts'
import type { Operation } from '../../openapi/operations.ts'
import type { Grant, VendorContext } from '../vendor.ts'
import { MISSING_PERMISSION, NO_API_KEY_FOUND, NO_AUTHORIZATION_HEADER } from './errors.ts'

/** The whole header value, minus the first `Bearer `, is the key (a bare key works; `bearer ` does not). */
export function apiKeyOf(req: Request): string | null {
  const header = req.headers.authorization
  return header === undefined || header === '' ? null : header.replace('Bearer ', '')
}

/** Resolves the key; `key_permissions` need `r` for GET and `w` for other methods. */
export function authenticate(req: Request, operation: Operation | null, ctx: VendorContext): Grant | null {
  if (operation === null && !req.path.startsWith('/v1/')) return null
  const apiKey = apiKeyOf(req)
  if (apiKey === null) throw HttpError.fromTemplate(NO_AUTHORIZATION_HEADER)
  const resolved = ctx.keys.resolve('helicone', apiKey)
  if (resolved === null) throw HttpError.fromTemplate(NO_API_KEY_FOUND)
  const permissions = typeof resolved.info['permissions'] === 'string' ? resolved.info['permissions'] : 'rw'
  const needed = req.method === 'GET' || req.method === 'HEAD' ? 'r' : 'w'
  if (!permissions.includes(needed)) throw HttpError.fromTemplate(MISSING_PERMISSION)
  return { apiKey, tenant: resolved.tenant, info: resolved.info }
}
