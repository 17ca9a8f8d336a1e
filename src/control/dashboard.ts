// The dashboard's static shell, `/__emulator/ui/`: the page, script and style sheet that `npm run build` bundles
// from src/ui into dist/ui. It holds no data; what it shows comes from the control API and the vendors' own
// analytics endpoints (see specs/emulator.yaml, "The dashboard").
import express, { type Request, type Response, type Router } from 'express'
import { readFile } from 'node:fs/promises'
import { sendHttpError } from '../http/reply.ts'
import { isHttpError } from '../http/http-error.ts'
import { problem } from '../http/problem.ts'
import { checkShellAccess } from './access.ts'

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/__emulator/ui/'

/**
 * Sent by the dashboard with each of its requests. On vendor routes, fault rules, `Prefer` shortcuts and replay
 * do not apply to them, and they are neither journaled, counted in coverage nor logged: looking at the
 * emulator must not change what the app under test gets or what its tests count.
 */
export const DASHBOARD_HEADER = 'x-emulator-dashboard'

export function isDashboardRequest(req: Request): boolean {
  return req.headers[DASHBOARD_HEADER] !== undefined
}

/** dist/ui, from src/control (tests, tsx) and dist/control (the built package) alike. */
const UI_DIR = new URL('../../dist/ui/', import.meta.url)

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
}

/** The shell may reach its own origin only: no script, style, font or request from anywhere else. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** Serves the shell under `/__emulator/ui`. With an admin token, the page is told to ask for it. */
export function createDashboardRouter(options: { adminToken?: string | undefined }): Router {
  const router = express.Router()
  router.use(async (req: Request, res: Response) => {
    try {
      checkShellAccess(req, options.adminToken)
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw problem(405, 'Method Not Allowed', { detail: `${req.method} ${DASHBOARD_PATH}: the dashboard is read with GET` })
      }
      const path = req.originalUrl.split('?')[0] ?? ''
      if (req.path === '/' && !path.endsWith('/')) return res.redirect(301, DASHBOARD_PATH)
      const name = req.path === '/' ? 'index.html' : req.path.slice(1)
      const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined
      if (type === undefined) throw problem(404, 'Not Found', { detail: `${path} is not a file of the dashboard` })
      let content: Buffer
      try {
        content = await readFile(new URL(name, UI_DIR))
      } catch {
        throw problem(503, 'The dashboard is not built', {
          detail: 'dist/ui is missing: run `npm run build` (npm install runs it too).',
        })
      }
      if (name === 'index.html' && options.adminToken !== undefined) {
        content = Buffer.from(content.toString('utf8').replace('<html lang="en">', '<html lang="en" data-admin-token="required">'))
      }
      res.status(200).set({ ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(content.length) })
      res.end(req.method === 'HEAD' ? undefined : content)
    } catch (error) {
      sendHttpError(res, isHttpError(error) ? error : problem(500, 'Internal Server Error'))
    }
  })
  return router
}
