// Who a call is from. jawn's auth middleware (Helicone/helicone valhalla/jawn/src/middleware/auth.ts) runs
// for every `/v1/...` path, known or not, and for the logging routes. The worker's LLM routes read the key
// their own way (worker/src/lib/RequestWrapper.ts, worker/src/routers/aiGatewayRouter.ts): the proxy never
// refuses a call for its Helicone key, it only logs the calls whose key is valid; the AI gateway refuses
// with plain-text 401s.
import type { Request } from 'express'
import type { KeyRegistry } from '../../config/key-registry.ts'
import { HttpError } from '../../http/http-error.ts'
import type { Operation } from '../../openapi/operations.ts'
import type { Grant, VendorContext } from '../vendor.ts'
import {
  AI_GATEWAY_KEY_MISSING,
  AI_GATEWAY_KEY_INVALID,
  AI_GATEWAY_ORGANIZATION_NOT_FOUND,
  MISSING_PERMISSION,
  NO_API_KEY_FOUND,
  NO_AUTHORIZATION_HEADER,
} from './errors.ts'
import { headerValue } from './llm/headers.ts'
import { llmMountOf, llmRouteOf } from './llm/routes.ts'

/**
 * What the pipeline hands a proxy handler: the proxy authenticates nobody (the handler finds out with
 * `proxyLogGrant` whether the call is logged, and under which organization).
 */
const PROXY_CALLER: Grant = Object.freeze({ apiKey: '', tenant: '', info: Object.freeze({}) })

/** The whole header value, minus the first `Bearer `, is the key (a bare key works; `bearer ` does not). */
function jawnKeyOf(req: Request): string | null {
  const header = req.headers.authorization
  return header === undefined || header === '' ? null : header.replace('Bearer ', '')
}

/** The worker's Helicone token: `Helicone-Auth`, else `Authorization`, else `x-api-key` (`heliconeAuthV2`). */
function workerToken(headers: Record<string, unknown>): { token: string; fromHeliconeAuth: boolean } | null {
  const heliconeAuth = headerValue(headers, 'helicone-auth')
  if (heliconeAuth) return { token: heliconeAuth, fromHeliconeAuth: true }
  const fallback = headerValue(headers, 'authorization') || headerValue(headers, 'x-api-key')
  return fallback ? { token: fallback, fromHeliconeAuth: false } : null
}

/** The key in a worker token: it must carry `Bearer ` (`validateHeliconeAuthHeader`); null otherwise. */
function keyOfToken(token: string): string | null {
  if (!token.includes('Bearer ')) return null
  const key = token.replace('Bearer ', '').trim()
  return key === '' ? null : key
}

/** The request's API key as the vendor reads it (fault rules and the journal match on it). */
export function apiKeyOf(req: Request): string | null {
  const mount = llmMountOf(req.path)
  if (mount === undefined) return jawnKeyOf(req)
  const found = workerToken(req.headers as Record<string, unknown>)
  return found === null ? null : (keyOfToken(found.token) ?? found.token)
}

/**
 * The organization a proxied call is logged under, or null when the worker would not log it: no token, a
 * token without `Bearer `, or a key the registry refuses. A fallback token (`Authorization`/`x-api-key`)
 * counts only when it holds a Helicone key (`sk-helicone…`/`pk-helicone…`): a provider key there fails the
 * worker's key-format check (the emulator checks no other key format: its keys are free-form).
 */
export function proxyLogGrant(headers: Record<string, unknown>, keys: KeyRegistry): Grant | null {
  const found = workerToken(headers)
  if (found === null) return null
  const key = keyOfToken(found.token)
  if (key === null) return null
  if (!found.fromHeliconeAuth && !/^[sp]k-helicone/.test(key)) return null
  const resolved = keys.resolve('helicone', key)
  return resolved === null ? null : { apiKey: key, tenant: resolved.tenant, info: resolved.info }
}

/** The AI gateway's check, in its order; its 401s are plain text. */
function aiGatewayGrant(req: Request, keys: KeyRegistry): Grant {
  const headers = req.headers as Record<string, unknown>
  const providerAuth = headerValue(headers, 'authorization') ?? headerValue(headers, 'x-api-key') ?? headerValue(headers, 'api-key')
  if (!providerAuth) throw HttpError.fromTemplate(AI_GATEWAY_KEY_MISSING)
  const found = workerToken(headers)
  const key = found === null ? null : keyOfToken(found.token)
  if (key === null) throw HttpError.fromTemplate(AI_GATEWAY_KEY_INVALID)
  const resolved = keys.resolve('helicone', key)
  if (resolved === null) throw HttpError.fromTemplate(AI_GATEWAY_ORGANIZATION_NOT_FOUND)
  return { apiKey: key, tenant: resolved.tenant, info: resolved.info }
}

/** Resolves the key; `key_permissions` need `r` for GET and `w` for other methods. */
export function authenticate(req: Request, operation: Operation | null, ctx: VendorContext): Grant | null {
  const route = llmRouteOf(operation?.operationId)
  if (route?.mount === 'ai-gateway') return aiGatewayGrant(req, ctx.keys)
  if (route !== undefined) return PROXY_CALLER
  // Paths outside `/v1/` (another path under an LLM mount among them) are answered 404/405 unauthenticated.
  if (operation === null && !req.path.startsWith('/v1/')) return null
  const apiKey = jawnKeyOf(req)
  if (apiKey === null) throw HttpError.fromTemplate(NO_AUTHORIZATION_HEADER)
  const resolved = ctx.keys.resolve('helicone', apiKey)
  if (resolved === null) throw HttpError.fromTemplate(NO_API_KEY_FOUND)
  const permissions = typeof resolved.info['permissions'] === 'string' ? resolved.info['permissions'] : 'rw'
  const needed = req.method === 'GET' || req.method === 'HEAD' ? 'r' : 'w'
  if (!permissions.includes(needed)) throw HttpError.fromTemplate(MISSING_PERMISSION)
  return { apiKey, tenant: resolved.tenant, info: resolved.info }
}
