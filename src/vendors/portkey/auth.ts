import type { Request } from 'express'
import { stableUuid } from '../../util/stable-uuid.ts'
import type { Operation } from '../../openapi/operations.ts'
import type { Grant, VendorContext } from '../vendor.ts'
import { FORBIDDEN, portkeyError, UNAUTHORIZED } from './errors.ts'
import type { KeyScope } from './filters.ts'

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
 * Unknown routes answer 404 without authenticating.
 */
export function authenticate(req: Request, operation: Operation | null, ctx: VendorContext): Grant | null {
  if (operation === null) return null
  const apiKey = apiKeyOf(req)
  const resolved = apiKey === null ? null : ctx.keys.resolve('portkey', apiKey)
  if (apiKey === null || resolved === null) throw portkeyError(UNAUTHORIZED)
  const needed = REQUIRED_SCOPES[operation.operationId]
  const scopes = resolved.info['scopes']
  if (needed !== undefined && Array.isArray(scopes) && !scopes.includes(needed)) throw portkeyError(FORBIDDEN)
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
