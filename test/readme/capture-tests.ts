// Stands in for 'vitest' in the README's snippets: their `test(...)` calls are collected here, and the
// snippet test registers them as real tests. `expect` and the hooks are vitest's own.
export { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest'

export const collected: { name: string; fn: () => Promise<void> | void; timeout?: number }[] = []

export function test(name: string, fn: () => Promise<void> | void, timeout?: number): void {
  collected.push(timeout === undefined ? { name, fn } : { name, fn, timeout })
}
export const it = test
