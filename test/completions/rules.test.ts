import { expect, test } from 'vitest'
import { CompletionRuleError, createCompletionRuleSet, MAX_RULES, type CompletionRule } from '../../src/completions/index.ts'

const ctx = (lastUserText: string, model = 'gpt-4o-mini', vendor: 'portkey' | 'helicone' | 'pulze' = 'portkey') => ({
  lastUserText,
  model,
  vendor,
})

test('a substring rule matches the last user message, case-sensitively', () => {
  const rules = createCompletionRuleSet([{ match: 'weather', content: 'Sunny.' }])
  expect(rules.take(ctx('What is the weather?'))?.content).toBe('Sunny.')
  expect(rules.take(ctx('WEATHER?'))).toBeUndefined()
})

test('a regex rule runs on RE2 with the i, m and s flags', () => {
  const rules = createCompletionRuleSet([
    { match: { regex: '^order #\\d{3,}$', flags: 'im' }, content: 'order' },
    { match: { regex: 'a.b', flags: 's' }, content: 'dotall' },
  ])
  expect(rules.take(ctx('hello\nORDER #1234'))?.content).toBe('order')
  expect(rules.take(ctx('a\nb'))?.content).toBe('dotall')
  expect(rules.take(ctx('order #12'))).toBeUndefined()
})

test('vendor and model narrow a rule; the first rule that fits wins', () => {
  const rules = createCompletionRuleSet([
    { vendor: 'helicone', content: 'helicone only' },
    { model: 'claude-haiku-4-5', content: 'haiku only' },
    { match: 'hi', content: 'first' },
    { match: 'hi', content: 'second' },
  ])
  expect(rules.take(ctx('hi', 'gpt-4o', 'helicone'))?.content).toBe('helicone only')
  expect(rules.take(ctx('hi', 'claude-haiku-4-5', 'pulze'))?.content).toBe('haiku only')
  expect(rules.take(ctx('hi', 'gpt-4o', 'pulze'))?.content).toBe('first')
})

test('times counts down and the rule disappears at 0; list() shows what is left, as JSON data', () => {
  const rules = createCompletionRuleSet([{ match: 'x', content: 'twice', times: 2 }, { content: 'fallback' }])
  expect(rules.take(ctx('x'))).toEqual({ match: 'x', content: 'twice', times: 2 })
  expect(rules.list()[0]).toEqual({ match: 'x', content: 'twice', times: 1 })
  expect(rules.take(ctx('x'))?.content).toBe('twice')
  expect(rules.take(ctx('x'))?.content).toBe('fallback')
  expect(rules.list()).toEqual([{ content: 'fallback' }])
  expect(JSON.parse(JSON.stringify(rules.list()))).toEqual(rules.list())
})

test('list() and take() hand out frozen rules: changing one throws and changes no rule; the input is not kept', () => {
  const input = { content: 'a' }
  const rules = createCompletionRuleSet([{ content: 'a', usage: { completionTokens: 3 } }])
  const listed = rules.list()
  expect(() => {
    listed[0]!.content = 'changed'
  }).toThrow(TypeError)
  expect(() => {
    listed[0]!.usage!.completionTokens = 9
  }).toThrow(TypeError)
  const added = createCompletionRuleSet()
  added.add(input)
  input.content = 'changed after add'
  expect(added.list()[0]!.content).toBe('a')
  expect(rules.take(ctx('x'))).toMatchObject({ content: 'a', usage: { completionTokens: 3 } })
})

test('a backtracking-only pattern is rejected with its RE2 parse error and JSON path', () => {
  for (const regex of ['(?=a)b', '(a)\\1', '(?<!x)y']) {
    const rules = createCompletionRuleSet()
    try {
      rules.add([{ content: 'ok' }, { match: { regex }, content: 'x' }])
      expect.unreachable(regex)
    } catch (error) {
      expect(error).toBeInstanceOf(CompletionRuleError)
      const problems = (error as CompletionRuleError).problems
      expect(problems[0]?.path).toBe('$[1].match.regex')
      expect(problems[0]?.message).toMatch(/^not a linear-time \(RE2\) regular expression: /)
    }
    expect(rules.list()).toEqual([]) // all or nothing
  }
})

test('rules that break the CompletionRule schema are rejected, naming each fault', () => {
  const rules = createCompletionRuleSet()
  expect(() => rules.add({ content: 'a', json: { b: 1 } })).toThrow(/\$\[0\]: content, toolCalls and json are alternatives/)
  expect(() => rules.add({ times: 0 } as CompletionRule)).toThrow(/\$\[0\]\.times: must be >= 1/)
  expect(() => rules.add({ vendor: 'openai' } as unknown as CompletionRule)).toThrow(/\$\[0\]\.vendor/)
  expect(() => rules.add({ match: { regex: 'a', flags: 'g' } })).toThrow(/\$\[0\]\.match/)
  expect(() => rules.add({ content: 'x', extra: 1 } as unknown as CompletionRule)).toThrow(/must NOT have additional properties/)
  expect(rules.list()).toEqual([])
})

test(`at most ${MAX_RULES} rules`, () => {
  const rules = createCompletionRuleSet()
  rules.add(Array.from({ length: MAX_RULES }, () => ({ content: 'x' })))
  expect(() => rules.add({ content: 'one too many' })).toThrow(CompletionRuleError)
  rules.replace([{ content: 'only' }])
  expect(rules.list()).toEqual([{ content: 'only' }])
  rules.clear()
  expect(rules.list()).toEqual([])
})

test('a catastrophic-backtracking pattern matches a long message in linear time', () => {
  // (a+)+$ against "aaaa…b" takes exponential time in a backtracking engine; RE2 answers at once.
  const rules = createCompletionRuleSet([{ match: { regex: '(a+)+$' }, content: 'x' }])
  expect(rules.take(ctx(`${'a'.repeat(10_000)}b`))).toBeUndefined()
})
