// The browser of the dashboard tests: the system Chromium (Debian's `chromium` package; `.ci/run` installs it)
// driven by playwright-core, which downloads no browser. Every page is watched: a console error, an uncaught
// exception or a request to anything but the emulator's origin (which is also blocked) fails the test.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Screenshots of every page (gitignored). */
export const SCREENSHOT_DIR = `${ROOT}.tmp/screenshots`
/** The screenshot the README shows (committed; rewritten when missing or with UPDATE_README_IMAGE=1). */
export const README_IMAGE = `${ROOT}docs/images/dashboard.png`

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. Missing is an error, never a skip. */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
  if (!existsSync(path)) {
    throw new Error(
      `The dashboard's browser tests need Chromium at ${path}, and it is not there. Install Debian's package ` +
        '(`sudo apt-get install chromium`; .ci/run does it) or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    )
  }
  return path
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] })
}

export type WatchedPage = {
  context: BrowserContext
  page: Page
  /** Console errors, uncaught exceptions and requests that left the origin, in order. */
  problems: string[]
}

/** A new context and page on `origin`; anything that leaves the origin is blocked and noted. */
export async function openPage(browser: Browser, origin: string, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options })
  // Fail fast: a locator that waits longer than this will not find what it waits for.
  context.setDefaultTimeout(5000)
  const page = await context.newPage()
  const problems: string[] = []
  const ours = (url: string) => url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`) || url.startsWith('data:')
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (ours(url)) return route.continue()
    problems.push(`request left the origin: ${url}`)
    return route.abort('blockedbyclient')
  })
  page.on('request', (req) => {
    if (!ours(req.url())) problems.push(`request left the origin: ${req.url()}`)
  })
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  return { context, page, problems }
}

/** Saves a full-page screenshot as .tmp/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true })
}

/** Rewrites the README's screenshot when it is missing or UPDATE_README_IMAGE=1 (so `npm test` leaves git clean). */
export async function maybeWriteReadmeImage(page: Page): Promise<void> {
  if (existsSync(README_IMAGE) && process.env['UPDATE_README_IMAGE'] !== '1') return
  await mkdir(fileURLToPath(new URL('.', `file://${README_IMAGE}`)), { recursive: true })
  await page.screenshot({ path: README_IMAGE })
}
