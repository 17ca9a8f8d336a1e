import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ROOT, runCli, startCli } from './run-cli.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfe-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('--help prints the usage with every flag and exits 0', async () => {
  const { code, stdout } = await runCli(['--help'])
  expect(code).toBe(0)
  for (const flag of [
    '--port',
    '--host',
    '--db',
    '--fixtures',
    '--keys',
    '--strict',
    '--vendor',
    '--quiet',
    '--help',
    '--version',
    '--replay',
  ]) {
    expect(stdout).toContain(flag)
  }
})

test('--version prints the package version', async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const { code, stdout } = await runCli(['--version'])
  expect(code).toBe(0)
  expect(stdout.trim()).toBe(pkg.version)
})

test.each([
  [['--nope'], /Unknown option '--nope'/],
  [['--port', 'abc'], /--port must be a whole number/],
  [['--vendor', 'openai'], /--vendor must be one of portkey, helicone, pulze/],
  [['--replay-strict'], /--replay-strict needs --replay/],
])('a bad flag %j prints the usage and exits 2', async (args, message) => {
  const { code, stderr } = await runCli(args)
  expect(code).toBe(2)
  expect(stderr).toMatch(message)
  expect(stderr).toContain('Usage: llm-feedback-emulator')
})

test('a bad fixture file fails startup with exit 2, naming the file and the JSON path', async () => {
  const file = join(dir, 'bad-fixture.json')
  await writeFile(file, JSON.stringify({ portkey: [{ apiKey: 'k' }], helicone: [{ apiKey: 42 }] }))
  const { code, stderr } = await runCli(['--db', ':memory:', '--fixtures', file, '--port', '0'])
  expect(code).toBe(2)
  expect(stderr).toContain(file)
  expect(stderr).toContain('$.helicone[0].apiKey')
})

test('a fixture file that is not JSON fails startup with exit 2', async () => {
  const file = join(dir, 'not-json.json')
  await writeFile(file, '{ nope')
  const { code, stderr } = await runCli(['--db', ':memory:', '--fixtures', file, '--port', '0'])
  expect(code).toBe(2)
  expect(stderr).toMatch(/not valid JSON/)
})

test('a keys file that breaks its schema fails startup with exit 2', async () => {
  const file = join(dir, 'keys.json')
  await writeFile(file, JSON.stringify({ portkey: [{ tenant: 'no-key' }] }))
  const { code, stderr } = await runCli(['--db', ':memory:', '--keys', file, '--port', '0'])
  expect(code).toBe(2)
  expect(stderr).toContain('$.portkey[0]')
})

test('the server answers health, logs one line per request, and SIGTERM exits 0', async () => {
  const { child, url, finished } = await startCli(['--db', ':memory:'], { cwd: dir })
  const res = await fetch(`${url}/__emulator/health`)
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ status: 'ok', vendors: ['portkey', 'helicone', 'pulze'] })
  child.kill('SIGTERM')
  const { code, stdout } = await finished
  expect(code).toBe(0)
  expect(stdout).toMatch(/GET \/__emulator\/health 200 \d+\.\dms/)
  expect(stdout).toContain(`${url}/portkey/v1`)
  expect(stdout).toContain(`${url}/helicone`)
  expect(stdout).toContain(`${url}/pulze/v1`)
  // --db :memory: writes nothing, not even the default .emulator folder.
  expect(await readdir(dir)).not.toContain('.emulator')
})

test('--quiet prints no request lines', async () => {
  const { child, url, finished } = await startCli(['--db', ':memory:', '--quiet'])
  await fetch(`${url}/__emulator/health`)
  child.kill('SIGINT')
  const { code, stdout } = await finished
  expect(code).toBe(0)
  expect(stdout).not.toMatch(/GET \/__emulator\/health/)
})

test('PORT from the environment is used when --port is absent', async () => {
  const { child, url, finished } = await startCli(['--db', ':memory:', '--quiet'], { env: { PORT: '0' } })
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  child.kill('SIGTERM')
  expect((await finished).code).toBe(0)
})

test('a port that is taken exits 1 with a clear message', async () => {
  const first = await startCli(['--db', ':memory:', '--quiet'])
  const port = new URL(first.url).port
  const second = await runCli(['--db', ':memory:', '--quiet', '--port', port])
  expect(second.code).toBe(1)
  expect(second.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+/)
  first.child.kill('SIGTERM')
  await first.finished
})

test('npm exec -- llm-feedback-emulator runs the built binary (npm ci builds dist/ through prepare)', async () => {
  const { spawn } = await import('node:child_process')
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const child = spawn('npm', ['exec', '--', 'llm-feedback-emulator', '--version'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  expect({ code, stdout: stdout.trim() }, `stderr: ${stderr} (is dist/ built? npm run build)`).toEqual({ code: 0, stdout: pkg.version })
})
