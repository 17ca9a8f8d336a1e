import { expectTypeOf, test } from 'vitest'
import {
  createControlClient,
  type ClockView,
  type CoverageReport,
  type FaultRuleState,
  type Har,
  type JournalEntry,
} from '../../src/index.ts'

const client = createControlClient('http://127.0.0.1:4100')
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>

// openapi-fetch hands answers through its own mapped types: compared both ways rather than for identity.
test('the control client is typed from the generated specs/emulator.yaml types', () => {
  expectTypeOf<Answer<typeof client.requests>>().toEqualTypeOf<JournalEntry[]>()
  expectTypeOf<Answer<typeof client.count>>().toEqualTypeOf<number>()
  expectTypeOf<Answer<typeof client.faults.add>>().toMatchTypeOf<FaultRuleState>()
  expectTypeOf<FaultRuleState>().toMatchTypeOf<Answer<typeof client.faults.add>>()
  expectTypeOf<Answer<typeof client.clock.freeze>>().toMatchTypeOf<ClockView>()
  expectTypeOf<ClockView>().toMatchTypeOf<Answer<typeof client.clock.freeze>>()
  expectTypeOf<Answer<typeof client.coverage.get>>().toMatchTypeOf<CoverageReport>()
  expectTypeOf<CoverageReport>().toMatchTypeOf<Answer<typeof client.coverage.get>>()
  expectTypeOf<Answer<typeof client.har>>().toMatchTypeOf<Har>()
  // @ts-expect-error: not a vendor of the spec
  void client.requests({ vendor: 'openai' })
  // @ts-expect-error: a fault rule's status is a number
  void client.faults.add({ status: '429' })
})
