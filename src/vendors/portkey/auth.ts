import type { Request } from 'express'
import { stableUuid } from '../../util/stable-uuid.ts'
import type { Operation } from '../../openapi/operations.ts'
import type { Grant, VendorContext } from '../vendor.ts'
import { FORBIDDEN, GATEWAY_OPERATIONS, GATEWAY_UNAUTHORIZED, gatewayFailure, portkeyError, UNAUTHORIZED } from './errors.ts'
import type { KeyScope } from './filters.ts'
import { checkGatewayHeaders, GatewayRefusal } from './llm/provider.ts'
import { headerOf } from './llm/trace.ts'
import { HttpError } from '../../http/http-error.ts'

/** The scope each operation needs (help-center/you-do-not-have-enough-permissions.mdx). */
export const REQUIRED_SCOPES: Readonly<Record<string, string>> = {
  createFeedback: 'logs.write',
  updateFeedback: 'logs.write',
  insertLogs: 'logs.write',
  getFeedbacksGraph: 'analytics.view',
  getFeedbackScoresGraph: 'analytics.view',
  getFeedbackScoreGraphSdkAlias: 'analytics.view',
  getWeightedFeedbacksGraph: 'analytics.view',
  getFeedbackAiModelsGraph: 'analytics.view',
}

/** The key as sent: `x-portkey-api-key`, else `Authorization: Bearer …` (Portkey's JWT mode); null when neither. */
export function apiKeyOf(req: Request): string | null {
  const header = req.headers['x-portkey-api-key']
  const key = Array.isArray(header) ? header[0] : header
  if (key !== undefined && key.trim() !== '') return key.trim()
  const authorization = req.headers.authorization
  const bearer = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization)
  const token = bearer?.[1]?.trim() ?? ''
  return token === '' ? null : token
}

/**
 * Resolves the key (401 AB05 when missing or not accepted) and checks the operation's scope (403 AB03).
 * Unknown routes answer 404 without authenticating. The gateway routes have their own rules (authenticateGateway).
 */
export function authenticate(req: Request, operation: Operation | null, ctx: VendorContext): Grant | null {
  if (operation === null) return null
  if (GATEWAY_OPERATIONS.has(operation.operationId)) return authenticateGateway(req, operation, ctx)
  const apiKey = apiKeyOf(req)
  const resolved = apiKey === null ? null : ctx.keys.resolve('portkey', apiKey)
  if (apiKey === null || resolved === null) throw portkeyError(UNAUTHORIZED)
  const needed = REQUIRED_SCOPES[operation.operationId]
  const scopes = resolved.info['scopes']
  if (needed !== undefined && Array.isArray(scopes) && !scopes.includes(needed)) throw portkeyError(FORBIDDEN)
  return { apiKey, tenant: resolved.tenant, info: resolved.info }
}

/**
 * A gateway call: the Portkey key from `x-portkey-api-key`, else `Authorization: Bearer` (the OpenAI SDK given
 * the Portkey key), else on `/v1/messages` `x-api-key` (the Anthropic SDK given it); 401 in the gateway's
 * shape when none is accepted. Then the gateway's header checks, which run before the body is read. No
 * scope is required [emulator].
 */
function authenticateGateway(req: Request, operation: Operation, ctx: VendorContext): Grant {
  const apiKey = apiKeyOf(req) ?? (operation.operationId === 'createMessage' ? (headerOf(req.headers, 'x-api-key') ?? null) : null)
  const resolved = apiKey === null ? null : ctx.keys.resolve('portkey', apiKey)
  if (apiKey === null || resolved === null) throw HttpError.fromTemplate(GATEWAY_UNAUTHORIZED)
  try {
    checkGatewayHeaders(req.headers)
  } catch (error) {
    if (error instanceof GatewayRefusal) throw gatewayFailure(error.status, error.message, error.errors)
    throw error
  }
  return { apiKey, tenant: resolved.tenant, info: resolved.info }
}

/** The key's type and workspace, from its `--keys` entry (a workspace key without a workspace by default). */
export function keyScope(grant: Grant): KeyScope {
  const type = grant.info['type'] === 'organisation' ? 'organisation' : 'workspace'
  const slug = grant.info['workspace_slug']
  return typeof slug === 'string' && slug !== '' ? { type, workspaceSlug: slug } : { type }
}

/** The key's id for `api_key_id`: the `id` of its `--keys` entry, else a UUID derived from the key. */
export function apiKeyIdOf(grant: Grant): string {
  const id = grant.info['id']
  return typeof id === 'string' && id !== '' ? id : stableUuid(`portkey-api-key:${grant.apiKey}`)
}
