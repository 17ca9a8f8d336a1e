// Setup file (vitest.config.ts): a test fails when an emulator it started logged an unexpected error, so a
// crash answered with a vendor's generic 500 body cannot pass for the documented 500 the test expects.
import { afterEach } from 'vitest'
import { takeUnexpectedErrors } from './create-test-emulator.ts'

afterEach(() => {
  const errors = takeUnexpectedErrors()
  if (errors.length > 0) throw new Error(`the emulator logged ${errors.length} unexpected error(s):\n${errors.join('\n')}`)
})
