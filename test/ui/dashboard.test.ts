// Issue 14: the dashboard in a real browser (system Chromium through playwright-core) against a listening
// emulator with the bundled fixtures. What a page shows is compared with what the API answers for the same
// question; every page is checked for console errors and for requests that leave the emulator's origin.
import { readFile } from 'node:fs/promises'
import { Portkey } from 'portkey-ai'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, expect, test } from 'vitest'
import { keyHash } from '../../src/control/journal.ts'
import { startTestEmulator, freshKey } from '../helpers/create-test-emulator.ts'
import { launchChromium, maybeWriteReadmeImage, openPage, screenshot, type WatchedPage } from './browser.ts'

// The few page globals used inside page.evaluate(), typed here: the test project has Node's types, not the DOM's.
type PageElement = {
  id: string
  dataset: Record<string, string | undefined>
  textContent: string | null
  innerText: string
  outerHTML: string
  labels?: { length: number } | null
  closest(selector: string): PageElement | null
  querySelectorAll(selector: string): Iterable<PageElement>
}
declare const document: { activeElement: PageElement | null; querySelectorAll(selector: string): Iterable<PageElement> }

const PORTKEY_KEY = 'pk-emulator-dev'
const HELICONE_KEY = 'sk-helicone-emulator-dev'
const PULZE_KEY = 'sk-pulze-emulator-dev'
const UI = '/__emulator/ui/'

// At the top level: without Chromium the file fails (with launchChromium's message), it is never skipped.
const browser: Browser = await launchChromium()
const emulator = await startTestEmulator({ fixtures: ['fixtures/default.json'] })
const opened: WatchedPage[] = []

afterAll(async () => {
  await browser.close()
  await emulator.close()
})

/** A watched page; afterEach fails the test on a console error or a request that left the origin. */
async function open(path: string, options: Parameters<typeof openPage>[2] = {}, origin = emulator.url): Promise<WatchedPage> {
  const watched = await openPage(browser, origin, options)
  opened.push(watched)
  await watched.page.goto(`${origin}${path}`)
  return watched
}

afterEach(async () => {
  const problems = opened.flatMap((w) => w.problems)
  await Promise.all(opened.splice(0).map((w) => w.context.close()))
  expect(problems).toEqual([])
})

async function control<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${emulator.url}/__emulator${path}`, init)
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

type StateDoc = {
  portkey?: { apiKey: string; generations: unknown[]; feedback: unknown[] }[]
  helicone?: { apiKey: string; requests: { scores: Record<string, number> }[] }[]
  pulze?: { apiKey: string; logs: { good_answer: boolean | null }[] }[]
}

/** The record counts of every tenant in `/__emulator/state`, as `vendor/ref/count` → number. */
function countsOfState(state: StateDoc): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const block of state.portkey ?? []) {
    const ref = keyHash(block.apiKey)
    counts[`portkey/${ref}/generations`] = block.generations.length
    counts[`portkey/${ref}/feedback`] = block.feedback.length
  }
  for (const block of state.helicone ?? []) {
    const ref = keyHash(block.apiKey)
    const keys = block.requests.map((r) => Object.keys(r.scores))
    counts[`helicone/${ref}/requests`] = block.requests.length
    counts[`helicone/${ref}/scored`] = keys.filter((k) => k.some((key) => key !== 'helicone-score-feedback')).length
    counts[`helicone/${ref}/feedback`] = keys.filter((k) => k.includes('helicone-score-feedback')).length
  }
  for (const block of state.pulze ?? []) {
    const ref = keyHash(block.apiKey)
    counts[`pulze/${ref}/logs`] = block.logs.length
    counts[`pulze/${ref}/rated`] = block.logs.filter((l) => l.good_answer !== null).length
  }
  return counts
}

/** The counts the overview shows, as `vendor/ref/count` → number. */
async function countsOnOverview(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const counts: Record<string, number> = {}
    for (const cell of document.querySelectorAll('table[id$="-tenants"] [data-count]')) {
      const table = cell.closest('table')!.id.replace(/-tenants$/, '')
      const ref = cell.closest('tr')!.dataset['key']!
      counts[`${table}/${ref}/${cell.dataset['count']}`] = Number(cell.textContent)
    }
    return counts
  })
}

/** The rows of a numbers table (the chart's text alternative): header cell, then the other cells. */
async function numbersOf(page: Page, figure: string): Promise<string[][]> {
  return page
    .locator(`#${figure} table.numbers tbody tr`)
    .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim() ?? '')))
}

/** What the chart draws: uPlot's data (x values, then one array per series). */
async function plotted(page: Page, figure: string): Promise<(number | null)[][]> {
  return page
    .locator(`#${figure} .plot`)
    .evaluate((el) =>
      (el as unknown as { uplot: { data: (number | null)[][] } }).uplot.data.map((series: (number | null)[]) => [...series]),
    )
}

test('GET / redirects to the dashboard; the overview shows the base URLs, demo keys unmasked, and the counts of /state', async () => {
  const res = await fetch(`${emulator.url}/`, { redirect: 'manual' })
  expect([res.status, res.headers.get('location')]).toEqual([302, UI])

  const { page } = await open('/')
  expect(page.url()).toBe(`${emulator.url}${UI}`)
  await page.locator('#portkey-tenants [data-count]').first().waitFor()
  const endpoints = await page.locator('#endpoints tbody').innerText()
  for (const line of [
    `${emulator.url}/portkey/v1`,
    `${emulator.url}/helicone`,
    `${emulator.url}/pulze/v1`,
    PORTKEY_KEY,
    HELICONE_KEY,
    PULZE_KEY,
  ]) {
    expect(endpoints).toContain(line)
  }
  const shown = await countsOnOverview(page)
  expect(shown).toEqual(countsOfState(await control<StateDoc>('/state')))
  expect(Object.keys(shown)).toHaveLength(7)
  await screenshot(page, 'overview')
})

test('a key that is not a bundled demo key is shown masked: a prefix and its last 4 characters', async () => {
  const key = freshKey('masked')
  await new Portkey({ apiKey: key, baseURL: `${emulator.url}/portkey/v1` }).feedback.create({ traceID: 'mask-1', value: 1 })
  const { page } = await open(UI)
  const row = page.locator(`#portkey-tenants tr[data-key="${keyHash(key)}"]`)
  await row.waitFor()
  const text = await row.innerText()
  expect(text).not.toContain(key)
  expect(text).toContain(key.slice(-4))
  await control(`/reset?vendor=portkey&apiKey=${key}`, { method: 'POST' })
})

test('Portkey: the score bars carry the numbers of /feedbacks/scores for the same window and filters', async () => {
  const { page } = await open(`${UI}#/portkey/${keyHash(PORTKEY_KEY)}`)
  const figure = page.locator('#score-distribution')

  const check = async () => {
    const query = JSON.parse((await figure.getAttribute('data-query'))!) as Record<string, string>
    const url = new URL(`${emulator.url}/portkey/v1/analytics/graphs/feedbacks/scores`)
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
    const answer = (await (await fetch(url, { headers: { 'x-portkey-api-key': PORTKEY_KEY } })).json()) as {
      data_points: { score: number; total: number }[]
    }
    expect(answer.data_points.length).toBeGreaterThan(0)
    expect(await numbersOf(page, 'score-distribution')).toEqual(answer.data_points.map((p) => [String(p.score), String(p.total)]))
    expect(await plotted(page, 'score-distribution')).toEqual([
      answer.data_points.map((p) => p.score),
      answer.data_points.map((p) => p.total),
    ])
    return query
  }

  await figure.waitFor()
  const all = await check()
  expect(Date.parse(all['time_of_generation_max']!) - Date.parse(all['time_of_generation_min']!)).toBe(30 * 86_400_000)
  await screenshot(page, 'portkey')
  await maybeWriteReadmeImage(page)

  // The window picker and a filter change the query, and the bars follow.
  await page.getByLabel('Window', { exact: true }).selectOption('7d')
  await page.getByLabel('Model', { exact: true }).selectOption({ index: 1 })
  await expect.poll(async () => JSON.parse((await figure.getAttribute('data-query'))!)).toHaveProperty('ai_org_model')
  const filtered = await check()
  expect(Date.parse(filtered['time_of_generation_max']!) - Date.parse(filtered['time_of_generation_min']!)).toBe(7 * 86_400_000)
  await page.getByLabel('Metadata key', { exact: true }).selectOption('env')
  await page.getByLabel('Metadata value', { exact: true }).selectOption('production')
  await expect.poll(async () => JSON.parse((await figure.getAttribute('data-query'))!)).toHaveProperty('metadata', '{"env":"production"}')
  await check()

  // The feedback table sorts by a header's button and pages.
  const feedback = page.locator('#portkey-feedback')
  await feedback.getByRole('button', { name: /^Value/ }).click()
  await expect.poll(() => feedback.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending')
  const values = await feedback.locator('td[data-column="value"]').allInnerTexts()
  expect(values.map(Number)).toEqual([...values.map(Number)].sort((a, b) => a - b))
  await page.getByRole('navigation', { name: 'Pages of the feedback' }).getByRole('button', { name: 'Next' }).click()
  await expect.poll(() => page.getByRole('navigation', { name: 'Pages of the feedback' }).innerText()).toContain('Page 2')
})

test("Helicone: the chart's points are the answer of /v1/dashboard/scores/query with the browser's time zone offset", async () => {
  // New York in November is UTC−5: getTimezoneOffset() is 300, which is what Helicone's dashboard sends.
  const { page } = await open(`${UI}#/helicone/${keyHash(HELICONE_KEY)}`, { timezoneId: 'America/New_York' })
  const figure = page.locator('#scores-over-time')
  await figure.waitFor()
  await page.getByLabel('Increment', { exact: true }).selectOption('week')
  await expect.poll(() => figure.getAttribute('data-increment')).toBe('week')
  const body = JSON.parse((await figure.getAttribute('data-request'))!) as { timeZoneDifference: number }
  expect(body).toMatchObject({ dbIncrement: 'week', timeZoneDifference: 300, userFilter: 'all' })

  const res = await fetch(`${emulator.url}/helicone/v1/dashboard/scores/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HELICONE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const rows = ((await res.json()) as { data: { created_at_trunc: string; score_key: string; score_sum: number }[] }).data
  const buckets = [...new Set(rows.map((r) => r.created_at_trunc))].sort()
  const keys = [...new Set(rows.map((r) => r.score_key).filter((k) => k !== ''))].sort()
  expect(keys.length).toBeGreaterThan(1)
  const value = (key: string, bucket: string) => rows.find((r) => r.score_key === key && r.created_at_trunc === bucket)?.score_sum ?? null

  const drawn = await plotted(page, 'scores-over-time')
  expect(drawn).toEqual([buckets.map((b) => Date.parse(b) / 1000), ...keys.map((k) => buckets.map((b) => value(k, b)))])
  const header = await figure.locator('table.numbers thead th').allTextContents()
  expect(header.slice(1)).toEqual(keys)
  const table = await numbersOf(page, 'scores-over-time')
  expect(table).toHaveLength(buckets.length)
  for (const [i, bucket] of buckets.entries()) {
    expect(await figure.locator('table.numbers tbody tr').nth(i).locator('time').getAttribute('datetime')).toBe(bucket)
    expect(table[i]!.slice(1).map((cell) => (cell === '—' ? null : Number(cell)))).toEqual(
      keys.map((k) => (value(k, bucket) === null ? null : Number(value(k, bucket)!.toFixed(table[i]![1]!.split('.')[1]?.length ?? 0)))),
    )
  }
  await expect.poll(() => page.locator('#helicone-requests tbody tr').count()).toBeGreaterThan(1)
  await screenshot(page, 'helicone')
})

test('Pulze: the logs table shows rating, feedback and privacy level, masked as the API masks', async () => {
  const { page } = await open(`${UI}#/pulze/${keyHash(PULZE_KEY)}`)
  const rows = page.locator('#pulze-logs tbody tr[data-key]')
  await rows.first().waitFor()
  const res = await fetch(`${emulator.url}/pulze/v1/logs?page=1&size=100`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PULZE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      date_from: new Date(Date.now() - 31 * 86_400_000).toISOString(),
      date_to: null,
      app_ids: [],
      params: [],
      query: '',
    }),
  })
  type Log = { id: string; privacy_level: number; prompt: string | null; good_answer: boolean | null; feedback: string | null }
  const items = new Map(((await res.json()) as { items: Log[] }).items.map((log) => [log.id, log]))
  const shown = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      id: (tr as unknown as PageElement).dataset['key']!,
      ...Object.fromEntries(
        [...(tr as unknown as PageElement).querySelectorAll('[data-column]')].map((td) => [td.dataset['column']!, td.innerText.trim()]),
      ),
    })),
  )
  expect(shown.length).toBeGreaterThan(5)
  for (const row of shown) {
    const log = items.get(row.id)!
    expect(row).toMatchObject({
      privacy: String(log.privacy_level),
      rating: log.good_answer === null ? 'none' : log.good_answer ? 'good' : 'bad',
      feedback: log.feedback === null || log.feedback === '' ? '—' : log.feedback,
      ...(log.prompt === null ? { prompt: 'masked (privacy level 2)' } : {}),
    })
  }
  expect(shown.some((row) => items.get(row.id)!.prompt === null)).toBe(true)
  await screenshot(page, 'pulze')
})

test('a feedback posted through the API appears without a reload, on the tenant page and the overview', async () => {
  const { page } = await open(`${UI}#/portkey/${keyHash(PORTKEY_KEY)}`)
  const caption = page.locator('#portkey-feedback caption')
  await caption.waitFor()
  const before = await control<StateDoc>(`/state?apiKey=${PORTKEY_KEY}`)
  const count = before.portkey![0]!.feedback.length
  await expect.poll(() => caption.innerText()).toContain(`${count} feedback`)
  await expect.poll(() => page.locator('[data-live]').getAttribute('data-live')).toBe('live')

  // A generation, then feedback on it (the charts count feedback by the time of its generation).
  const portkey = new Portkey({ apiKey: PORTKEY_KEY, baseURL: `${emulator.url}/portkey/v1` })
  await portkey.logs.create({
    request: {
      url: 'https://api.openai.com/v1/chat/completions',
      method: 'POST',
      headers: {},
      body: { model: 'gpt-4o-mini', messages: [] },
    },
    response: {
      status: 200,
      headers: {},
      body: { id: 'x', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      response_time: 100,
    },
    metadata: { trace_id: 'live-trace-1', span_id: 'live-span-1', span_name: 'chat' },
  })
  await portkey.feedback.create({ traceID: 'live-trace-1', value: 9, weight: 1 })
  await expect.poll(() => caption.innerText(), { timeout: 5000 }).toContain(`${count + 1} feedback`)
  await expect(page.locator('#portkey-feedback td[data-column="trace"]').first().innerText()).resolves.toBe('live-trace-1')
  await expect
    .poll(async () => (await numbersOf(page, 'score-distribution')).find((row) => row[0] === '9'), { timeout: 5000 })
    .toBeDefined()

  await page.getByRole('link', { name: 'Overview' }).click()
  const cell = page.locator(`#portkey-tenants tr[data-key="${keyHash(PORTKEY_KEY)}"] [data-count="feedback"]`)
  await expect.poll(() => cell.innerText()).toBe(String(count + 1))
  await portkey.feedback.create({ traceID: 'live-trace-2', value: 1 })
  await expect.poll(() => cell.innerText(), { timeout: 5000 }).toBe(String(count + 2))
})

test('reset asks first, then puts the tenant back; seed loads an uploaded fixture; download saves the state', async () => {
  const { page } = await open(UI)
  const key = freshKey('seeded')
  const doc = {
    portkey: [
      {
        apiKey: key,
        feedback: [
          { id: 'seed-feedback-1', trace_id: 'seed-1', value: 3, weight: 1, metadata: {}, created_at: new Date().toISOString() },
          { id: 'seed-feedback-2', trace_id: 'seed-2', value: -1, weight: 0.5, metadata: {}, created_at: new Date().toISOString() },
        ],
      },
    ],
  }
  await page
    .getByLabel(/Fixture document/)
    .setInputFiles({ name: 'extra.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) })
  await page.getByRole('button', { name: 'Seed' }).click()
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Seeded' }).innerText()).toContain('extra.json')
  const row = page.locator(`#portkey-tenants tr[data-key="${keyHash(key)}"]`)
  await expect.poll(() => row.locator('[data-count="feedback"]').innerText()).toBe('2')
  expect((await control<StateDoc>(`/state?apiKey=${key}`)).portkey![0]!.feedback).toHaveLength(2)

  const downloading = page.waitForEvent('download')
  await row.getByRole('button', { name: /Download the state/ }).click()
  const saved = JSON.parse(await readFile((await (await downloading).path())!, 'utf8')) as StateDoc
  expect(saved).toEqual({ portkey: (await control<StateDoc>(`/state?apiKey=${key}`)).portkey })

  // Dismissed: nothing happens. Accepted: the tenant (not in the startup fixtures) is gone.
  page.once('dialog', (dialog) => void dialog.dismiss())
  await row.getByRole('button', { name: /^Reset/ }).click()
  await page.waitForTimeout(300)
  expect((await control<StateDoc>(`/state?apiKey=${key}`)).portkey?.[0]?.feedback).toHaveLength(2)
  const message = new Promise<string>((resolve) => page.once('dialog', (dialog) => (resolve(dialog.message()), void dialog.accept())))
  await row.getByRole('button', { name: /^Reset/ }).click()
  expect(await message).toMatch(/^Reset the Portkey tenant/)
  await expect.poll(() => row.count()).toBe(0)
  expect((await control<StateDoc>(`/state?apiKey=${key}`)).portkey ?? []).toEqual([])
})

type Journaled = { id: string; status: number; violations: { request: unknown[]; response: unknown[] } }

test('Requests: newest first with status and violations; a click shows the request and response bodies', async () => {
  const key = freshKey('journal')
  const portkey = { 'x-portkey-api-key': key, 'content-type': 'application/json' }
  await fetch(`${emulator.url}/portkey/v1/feedback`, {
    method: 'POST',
    headers: portkey,
    body: JSON.stringify({ trace_id: 'j-1', value: 2 }),
  })
  await fetch(`${emulator.url}/portkey/v1/feedback`, { method: 'POST', headers: portkey, body: JSON.stringify({ value: 'not a number' }) })
  const { page } = await open(`${UI}#/requests`)
  const rows = page.locator('#requests tbody tr[data-key]')
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2)
  const [newest, previous] = (await control<{ requests: Journaled[] }>('/requests?limit=2')).requests
  expect(await rows.nth(0).getAttribute('data-key')).toBe(newest!.id)
  expect(await rows.nth(0).locator('[data-column="status"]').innerText()).toBe(String(newest!.status))
  expect(newest!.status).toBeGreaterThanOrEqual(400)
  const violations = newest!.violations.request.length + newest!.violations.response.length
  expect(violations).toBeGreaterThan(0)
  expect(await rows.nth(0).locator('[data-column="violations"]').innerText()).toBe(String(violations))

  await rows.nth(1).getByRole('link').click()
  const detail = page.locator('#request-detail')
  await expect.poll(() => detail.locator('[data-part="request-body"]').innerText()).toContain('"trace_id": "j-1"')
  expect(await detail.locator('[data-part="response-body"]').innerText()).toContain('"status": "success"')
  expect(page.url()).toContain(`#/requests/${previous!.id}`)
  await screenshot(page, 'requests')
})

test('keyboard: the skip link, the navigation and a sortable header work without a mouse', async () => {
  const { page } = await open(UI)
  await page.locator('#portkey-tenants').waitFor()
  await page.keyboard.press('Tab')
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Requests')
  await page.keyboard.press('Enter')
  await page.locator('#requests').waitFor()
  expect(page.url()).toContain('#/requests')
  // Every form control has a label.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('select, input')].filter((el) => el.labels?.length === 0).map((el) => el.outerHTML),
  )
  expect(unlabelled).toEqual([])
})

test('with --admin-token the dashboard asks for the token, shows nothing without it and sends it (live updates too)', async () => {
  const guarded = await startTestEmulator({ fixtures: ['fixtures/default.json'], adminToken: 'dash-secret' })
  const problems: string[] = []
  try {
    const watched = await open(UI, {}, guarded.url)
    const { page } = watched
    const input = page.getByLabel('Admin token')
    await input.waitFor()
    expect(await page.locator('table').count()).toBe(0)
    for (const path of ['/tenants', '/state', '/requests', '/events']) {
      expect((await fetch(`${guarded.url}/__emulator${path}`)).status).toBe(401)
    }
    await screenshot(page, 'token')

    await input.fill('wrong')
    await page.getByRole('button', { name: 'Open the dashboard' }).click()
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor()
    // The refused token's 401s (the overview's, and the event stream's unless it was dropped first) are the only
    // console errors allowed: once the page is quiet, they are all in.
    await page.waitForLoadState('networkidle')
    const refused = watched.problems.splice(0)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.filter((p) => !p.includes('status of 401 (Unauthorized)'))).toEqual([])

    await page.getByLabel('Admin token').fill('dash-secret')
    await page.getByRole('button', { name: 'Open the dashboard' }).click()
    const cell = page.locator(`#portkey-tenants tr[data-key="${keyHash(PORTKEY_KEY)}"] [data-count="feedback"]`)
    const count = (await fetch(`${guarded.url}/__emulator/state?apiKey=${PORTKEY_KEY}`, {
      headers: { authorization: 'Bearer dash-secret' },
    })
      .then((r) => r.json())
      .then((d) => (d as StateDoc).portkey![0]!.feedback.length)) as number
    await expect.poll(() => cell.innerText()).toBe(String(count))
    await expect.poll(() => page.locator('[data-live]').getAttribute('data-live')).toBe('live')
    await new Portkey({ apiKey: PORTKEY_KEY, baseURL: `${guarded.url}/portkey/v1` }).feedback.create({ traceID: 'guarded-1', value: 1 })
    await expect.poll(() => cell.innerText(), { timeout: 5000 }).toBe(String(count + 1))
  } finally {
    // Pages first: closing the emulator under a live page would log its reconnection attempts.
    problems.push(...opened.flatMap((w) => w.problems))
    await Promise.all(opened.splice(0).map((w) => w.context.close()))
    await guarded.close()
  }
  expect(problems).toEqual([])
})
