// Who may use the control API. It can reset and seed every tenant, so a web page in the developer's browser
// must not reach it: a simple cross-origin POST needs no preflight, and DNS rebinding makes a foreign page
// look same-origin. Without an admin token, only loopback Host names and no foreign Origin are served, and
// bodies must be JSON (which a page can only send after a CORS preflight the emulator never grants). With
// `--admin-token`, every request needs `Authorization: Bearer <token>` instead (and may come from anywhere).
import type { Request } from 'express'
import { timingSafeEqual } from 'node:crypto'
import { HttpError } from '../http/http-error.ts'
import { problem } from '../http/problem.ts'

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
}

/** The host name of a `Host` header (`name:port`, `[v6]:port`). */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

const denied = (status: number, title: string, detail: string, headers?: Record<string, string>): HttpError => {
  const error = problem(status, title, { detail })
  return headers === undefined ? error : HttpError.fresh(status, error.body, { ...error.headers, ...headers })
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Throws the control API's 401/403/415 problem when `req` may not use it. */
export function checkControlAccess(req: Request, adminToken: string | undefined): void {
  if (adminToken !== undefined) {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim()
    if (bearer === undefined || !sameToken(bearer, adminToken)) {
      throw denied(401, 'Unauthorized', 'The control API needs Authorization: Bearer <admin token> (--admin-token).', {
        'WWW-Authenticate': 'Bearer realm="llm-feedback-emulator"',
      })
    }
  } else {
    checkLoopback(req)
  }
  if (req.method === 'POST' && hasBody(req) && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw denied(415, 'Unsupported Media Type', 'Control API bodies are application/json.')
  }
}

/** 403 unless the `Host` is a loopback name and the `Origin`, if any, too (DNS rebinding, cross-origin pages). */
function checkLoopback(req: Request): void {
  const host = req.headers.host
  if (host !== undefined && !isLoopbackHostname(hostnameOf(host))) {
    throw denied(403, 'Forbidden', `The control API answers loopback host names only, not ${host} (use --admin-token to serve others).`)
  }
  const origin = req.headers.origin
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    throw denied(403, 'Forbidden', `The control API does not answer pages from ${origin}.`)
  }
}

/**
 * Who may load the dashboard's static shell (`/__emulator/ui/`). It holds no data (everything it shows comes
 * from the control API), so with `--admin-token` any host gets it and the page asks for the token; without
 * one, the same loopback Host/Origin rule as the control API applies.
 */
export function checkShellAccess(req: Request, adminToken: string | undefined): void {
  if (adminToken === undefined) checkLoopback(req)
}

function isLoopbackOrigin(origin: string): boolean {
  if (!URL.canParse(origin)) return false
  return isLoopbackHostname(new URL(origin).hostname)
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}
