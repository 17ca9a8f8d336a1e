import { randomUUID } from 'node:crypto'
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator.ts'

/**
 * An in-memory emulator in strict mode: every response it gives is checked against its spec, and a
 * violation turns into a 500 naming the operation and JSON path — so every HTTP test checks the contract.
 */
export function createTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({ db: ':memory:', strict: true, quiet: true, logger: { error: () => {} }, ...options })
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
