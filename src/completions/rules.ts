// Scripted answers: an ordered list of `CompletionRule`s (specs/emulator.yaml). The rules are plain JSON data,
// so the control API and fixture documents can hand them over as they are; regexes run on RE2 (re2js), whose
// matching time is linear in the text whatever the pattern.
import { RE2JS } from 're2js'
import { jsonPath } from '../fixtures/fixture-document.ts'
import { createAjv } from '../openapi/create-ajv.ts'
import { specId } from '../openapi/load-specs.ts'
import { toViolations } from '../openapi/violations.ts'
import type { VendorName } from '../vendors/vendor-name.ts'
import type { CompletionRule } from './types.ts'

/** At most this many rules at once (each is tried against every completion request). */
export const MAX_RULES = 500
/** Rules look at this many characters of the last user message, at most. */
export const MAX_MATCHED_CHARS = 16_384

/** What a rule is matched against. */
export type RuleContext = {
  vendor?: VendorName | undefined
  model: string
  /** The text of the last user message (text parts joined by newlines). */
  lastUserText: string
}

export type RuleProblem = { path: string; message: string }

export class CompletionRuleError extends Error {
  readonly problems: RuleProblem[]
  constructor(problems: RuleProblem[]) {
    super(`invalid completion rule: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`)
    this.name = 'CompletionRuleError'
    this.problems = problems
  }
}

export type AddOptions = {
  /**
   * The caller hands the values over (a request body parsed for this call and used for nothing else): they are
   * checked and frozen in place, not copied first. Default false: the set keeps its own copy.
   */
  adopt?: boolean
}

export type CompletionRuleSet = {
  /** Appends rules after the present ones; all or nothing: one bad rule and none is added. */
  add(rules: CompletionRule | readonly CompletionRule[], options?: AddOptions): void
  /** The rules in order, as data (with what is left of `times`); each frozen, so they can be shared. */
  list(): CompletionRule[]
  /** Replaces every rule (all or nothing). */
  replace(rules: readonly CompletionRule[]): void
  clear(): void
  /** The first rule that fits, counted down (removed when its `times` reaches 0); undefined when none fits. */
  take(context: RuleContext): CompletionRule | undefined
}

type CompiledRule = { rule: CompletionRule; matches: (text: string) => boolean }

export function createCompletionRuleSet(initial: readonly CompletionRule[] = []): CompletionRuleSet {
  let rules: CompiledRule[] = compileRules(initial, 0)
  return {
    add(input, options) {
      const list = Array.isArray(input) ? (input as readonly CompletionRule[]) : [input as CompletionRule]
      rules = [...rules, ...compileRules(list, rules.length, options)]
    },
    list: () => rules.map((r) => r.rule),
    replace(list) {
      rules = compileRules(list, 0)
    },
    clear() {
      rules = []
    },
    take(context) {
      const text = context.lastUserText.length > MAX_MATCHED_CHARS ? context.lastUserText.slice(0, MAX_MATCHED_CHARS) : context.lastUserText
      const index = rules.findIndex(
        ({ rule, matches }) =>
          (rule.vendor === undefined || rule.vendor === context.vendor) &&
          (rule.model === undefined || rule.model === context.model) &&
          matches(text),
      )
      if (index === -1) return undefined
      const found = rules[index]!
      const answered = found.rule
      if (found.rule.times !== undefined) {
        const left = found.rule.times - 1
        if (left <= 0) rules = rules.filter((_, i) => i !== index)
        else found.rule = { ...found.rule, times: left }
      }
      return answered
    },
  }
}

let validateRule: ((rule: unknown) => RuleProblem[]) | undefined

/** Checks rules against `CompletionRule` and compiles their regexes; throws `CompletionRuleError` listing every fault. */
export function compileRules(list: readonly unknown[], offset: number, options: AddOptions = {}): CompiledRule[] {
  if (offset + list.length > MAX_RULES) {
    throw new CompletionRuleError([{ path: '$', message: `at most ${MAX_RULES} rules (${offset} present, ${list.length} added)` }])
  }
  if (validateRule === undefined) {
    const validate = createAjv().compile({ $ref: `${specId('emulator')}#/components/schemas/CompletionRule` })
    validateRule = (rule) =>
      validate(rule)
        ? []
        : toViolations('body', validate.errors, rule).map((v) => ({
            path: jsonPath(v.location.slice(1)),
            message: v.keyword === 'not' ? 'content, toolCalls and json are alternatives: give at most one' : v.message,
          }))
  }
  const problems: RuleProblem[] = []
  const compiled: CompiledRule[] = []
  list.forEach((input, index) => {
    const at = (path: string): string => `$[${index}]${path.slice(1)}`
    // One copy (none when adopted), checked (ajv fills defaults into it) and frozen: the set hands its rules out
    // without copying them again, so a rule near the body limit costs at most one clone.
    const rule = (options.adopt === true ? input : structuredClone(input)) as CompletionRule
    const ruleProblems = validateRule!(rule)
    if (ruleProblems.length > 0) {
      problems.push(...ruleProblems.slice(0, 10).map((p) => ({ path: at(p.path), message: p.message })))
      return
    }
    deepFreeze(rule)
    try {
      compiled.push({ rule, matches: matcher(rule.match) })
    } catch (error) {
      problems.push({ path: at('$.match.regex'), message: (error as Error).message })
    }
  })
  if (problems.length > 0) throw new CompletionRuleError(problems.slice(0, 50))
  return compiled
}

function matcher(match: CompletionRule['match']): (text: string) => boolean {
  if (match === undefined) return () => true
  if (typeof match === 'string') return (text) => text.includes(match)
  let flags = 0
  for (const flag of match.flags ?? '') {
    flags |= flag === 'i' ? RE2JS.CASE_INSENSITIVE : flag === 'm' ? RE2JS.MULTILINE : RE2JS.DOTALL
  }
  let re: RE2JS
  try {
    re = RE2JS.compile(match.regex, flags)
  } catch (error) {
    // RE2JSSyntaxException: "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
    throw new Error(`not a linear-time (RE2) regular expression: ${(error as Error).message}`)
  }
  return (text) => re.matcher(text).find()
}

/** Freezes a JSON value and everything in it (iteratively: a rule's `json` may nest as deep as the parser allows). */
function deepFreeze(value: unknown): void {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (typeof item !== 'object' || item === null || Object.isFrozen(item)) continue
    Object.freeze(item)
    for (const child of Object.values(item)) stack.push(child)
  }
}
