import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator.ts'

/** What the emulators of the running test logged as unexpected (crashes, strict-mode violations). */
const unexpectedErrors: string[] = []

/**
 * Hands over (and forgets) the unexpected errors logged since the last call. The setup file
 * `test/helpers/fail-on-unexpected-errors.ts` calls it after every test and fails the test when there are any;
 * a test that provokes one on purpose takes them itself and asserts on them.
 */
export function takeUnexpectedErrors(): string[] {
  return unexpectedErrors.splice(0)
}

/**
 * An in-memory emulator in strict mode: every response it gives is checked against its spec, and a
 * violation turns into a 500 naming the operation and JSON path — so every HTTP test checks the contract.
 * Whatever it logs as unexpected fails the test (a vendor's documented 500 is not logged; a crash is).
 */
export function createTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({
    db: ':memory:',
    strict: true,
    quiet: true,
    logger: { error: (message, error) => unexpectedErrors.push(`${message}: ${inspect(error, { depth: 4 })}`) },
    ...options,
  })
}

/** The same, listening on an ephemeral loopback port, for tests that drive a real vendor SDK. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator & { url: string }> {
  const emulator = await createTestEmulator(options)
  const { url } = await emulator.listen(0, '127.0.0.1')
  return Object.assign(emulator, { url })
}

/** A fresh API key: each distinct key is its own tenant, so tests isolate themselves by key. */
export function freshKey(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`
}
