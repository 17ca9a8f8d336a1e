// The `userFilter` tree of Helicone's ClickHouse endpoints, with the meaning its SQL has on the real table
// (Helicone/helicone packages/filters/filters.ts and filterDefs.ts, as run on ClickHouse): a filter node becomes a predicate over stored requests, a ClickHouse-style error
// (the real server answers those as 200 `{data: null, error}`), or a FilterBuilderError (the real query
// builder throws: HTTP 500).
import { QUERY_TIMEOUT } from './errors.ts'
import { compileLike, LikeBudgetExceeded, type StepBudget } from './like-pattern.ts'
import { bodyText, FEEDBACK_KEY, parseServerDate, scoresText, storedCost, ZERO_UUID } from './records.ts'
import type { HeliconeRequestRecord } from './types.ts'

/** A row as the filter sees it: the stored request plus its organization. */
export type FilterRow = HeliconeRequestRecord & { organization_id: string }
export type Predicate = (row: FilterRow) => boolean
export type CompiledFilter = { ok: true; predicate: Predicate } | { ok: false; error: string }

/** The JS query builder throws (jawn answers its global 500). */
export class FilterBuilderError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FilterBuilderError'
  }
}

/** A ClickHouse error, raised while compiling a leaf and reported for the whole query. */
class QueryError extends Error {}

type TextColumn = { kind: 'text'; read: (row: FilterRow) => string | null; uuid?: boolean; nullable?: boolean }
type NumberColumn = { kind: 'number'; read: (row: FilterRow) => number | null }
type TimeColumn = { kind: 'time'; read: (row: FilterRow) => string | null }
type BoolColumn = { kind: 'bool'; read: (row: FilterRow) => boolean | null }
type MissingColumn = { kind: 'missing'; identifier: string }
type Column = TextColumn | NumberColumn | TimeColumn | BoolColumn | MissingColumn

const COLUMNS: Record<string, Column> = {
  country_code: { kind: 'text', read: (r) => r.country_code, nullable: true },
  provider: { kind: 'text', read: (r) => r.provider },
  model: { kind: 'text', read: (r) => r.model },
  user_id: { kind: 'text', read: (r) => r.user_id },
  organization_id: { kind: 'text', read: (r) => r.organization_id, uuid: true },
  request_id: { kind: 'text', read: (r) => r.request_id, uuid: true },
  target_url: { kind: 'text', read: (r) => r.target_url, nullable: true },
  scores_column: { kind: 'text', read: (r) => scoresText(r.scores) },
  request_body: { kind: 'text', read: (r) => bodyText(r.request_body) },
  response_body: { kind: 'text', read: (r) => bodyText(r.response_body) },
  cache_reference_id: { kind: 'text', read: (r) => r.cache_reference_id, uuid: true },
  prompt_id: { kind: 'text', read: (r) => r.prompt_id },
  prompt_version: { kind: 'text', read: (r) => r.prompt_version },
  request_referrer: { kind: 'text', read: (r) => r.request_referrer },
  latency: { kind: 'number', read: (r) => r.latency },
  time_to_first_token: { kind: 'number', read: (r) => r.time_to_first_token },
  status: { kind: 'number', read: (r) => r.status },
  prompt_tokens: { kind: 'number', read: (r) => r.prompt_tokens },
  completion_tokens: { kind: 'number', read: (r) => r.completion_tokens },
  prompt_cache_read_tokens: { kind: 'number', read: (r) => r.prompt_cache_read_tokens },
  prompt_cache_write_tokens: { kind: 'number', read: (r) => r.prompt_cache_write_tokens },
  request_created_at: { kind: 'time', read: (r) => r.request_created_at },
  response_created_at: { kind: 'time', read: (r) => r.response_created_at },
  threat: { kind: 'bool', read: (r) => r.threat },
  cache_enabled: { kind: 'bool', read: (r) => r.cache_enabled },
  is_passthrough_billing: { kind: 'bool', read: (r) => r.is_passthrough_billing },
  // In the filter mapping, but not in the production table.
  total_tokens: { kind: 'missing', identifier: 'request_response_rmt.total_tokens' },
  node_id: { kind: 'missing', identifier: 'request_response_rmt.node_id' },
  job_id: { kind: 'missing', identifier: 'request_response_rmt.job_id' },
  assets: { kind: 'missing', identifier: 'request_response_rmt.asset_ids' },
}

/** The keys the `request_response_rmt` mapper looks for first, in this order; otherwise the leaf's first key. */
const PRIORITY = ['property_key', 'properties', 'search_properties', 'scores', 'cached', 'cost'] as const

const SQL_FUNCTION: Record<string, string> = { like: 'like', ilike: 'ilike', contains: 'ilike', 'not-contains': 'notILike' }

/**
 * A query that would run too long (a LIKE whose `_` segments would go quadratic): jawn answers a ClickHouse
 * timeout with QUERY_TIMEOUT, and so does the emulator.
 */
export class QueryTimeoutError extends Error {
  constructor() {
    super(QUERY_TIMEOUT)
    this.name = 'QueryTimeoutError'
  }
}

/**
 * Compiles a filter node. Throws FilterBuilderError where the real builder throws; the predicate throws
 * QueryTimeoutError when the query's work budget is spent.
 */
export function compileFilter(node: unknown): CompiledFilter {
  const errors: string[] = []
  const budget: StepBudget = { steps: 0 }
  const compiled = compileNode(node, errors, budget)
  const first = errors[0]
  if (first !== undefined) return { ok: false, error: first }
  const predicate: Predicate = (row) => {
    try {
      return compiled(row)
    } catch (error) {
      if (error instanceof LikeBudgetExceeded) throw new QueryTimeoutError()
      throw error
    }
  }
  return { ok: true, predicate }
}

function compileNode(node: unknown, errors: string[], budget: StepBudget): Predicate {
  if (node === 'all') return () => true
  if (typeof node !== 'object' || node === null) throw new FilterBuilderError(`Invalid filter node ${JSON.stringify(node)}`)
  const record = node as Record<string, unknown>
  if ('left' in record && 'operator' in record && 'right' in record) {
    const left = compileNode(record['left'], errors, budget)
    const right = compileNode(record['right'], errors, budget)
    if (record['operator'] === 'and') return (row) => left(row) && right(row)
    if (record['operator'] === 'or') return (row) => left(row) || right(row)
    throw new FilterBuilderError(`Invalid operator ${String(record['operator'])}`)
  }
  const rmt = record['request_response_rmt']
  if (rmt === undefined) return () => true
  try {
    return compileLeaf(rmt as Record<string, unknown>, budget)
  } catch (error) {
    if (!(error instanceof QueryError)) throw error
    errors.push(error.message)
    return () => false
  }
}

function firstKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  return Object.keys(value).find((k) => (value as Record<string, unknown>)[k] !== undefined)
}

/** The operator and value of an operator object (its first key), or the builder's throw. */
function operatorOf(ops: unknown): { op: string; value: unknown } {
  const op = firstKey(ops)
  if (op === undefined) throw new FilterBuilderError(`Invalid operator ${JSON.stringify(ops)}`)
  return { op, value: (ops as Record<string, unknown>)[op] }
}

function compileLeaf(leaf: Record<string, unknown>, budget: StepBudget): Predicate {
  const column = PRIORITY.find((k) => leaf[k] !== undefined) ?? firstKey(leaf)
  if (column === undefined) throw new FilterBuilderError('Invalid operator undefined')
  const spec = leaf[column]

  switch (column) {
    case 'property_key': {
      const { op, value } = operatorOf(spec)
      if (op !== 'equals') throw new FilterBuilderError(`Invalid operator ${op}`)
      const key = String(value)
      return (row) => Object.hasOwn(row.properties, key)
    }
    case 'properties': {
      const key = firstKey(spec)
      if (key === undefined) throw new FilterBuilderError('Invalid operator undefined')
      const { op, value } = operatorOf((spec as Record<string, unknown>)[key])
      const test = textTest(op, String(value), budget)
      return (row) => test(Object.hasOwn(row.properties, key) ? (row.properties[key] ?? '') : '')
    }
    case 'search_properties': {
      throw new QueryError(
        'Unknown expression or function identifier `key` in scope SELECT ... WHERE key ... (search_properties cannot be used on this endpoint). (UNKNOWN_IDENTIFIER)',
      )
    }
    case 'scores':
      return scoreLeaf(spec)
    case 'cached': {
      const { op, value } = operatorOf(spec)
      if (op !== 'equals') throw new FilterBuilderError(`Invalid operator ${op}`)
      return (row) => (row.cache_reference_id.toLowerCase() !== ZERO_UUID) === (value === true)
    }
    case 'cost': {
      const { op, value } = operatorOf(spec)
      const threshold = Math.floor(Number(value) * 1e9)
      const compare = numberTest(op)
      return (row) => compare(storedCost(row.cost), threshold)
    }
    case FEEDBACK_KEY: {
      const { op, value } = operatorOf(spec)
      if (op !== 'equals') throw new FilterBuilderError(`Invalid operator ${op}`)
      const wanted = value === true ? 1 : 0
      // A missing map key reads as 0: `equals: false` also matches unrated requests.
      return (row) => (row.scores[FEEDBACK_KEY] ?? 0) === wanted
    }
  }

  const def = Object.hasOwn(COLUMNS, column) ? COLUMNS[column] : undefined
  if (def === undefined) throw new FilterBuilderError(`Unknown column ${column}`)
  const { op, value } = operatorOf(spec)
  switch (def.kind) {
    case 'missing':
      throw new QueryError(
        `Identifier '${def.identifier}' cannot be resolved from table with name request_response_rmt. (UNKNOWN_IDENTIFIER)`,
      )
    case 'text':
      return plainTextLeaf(def, op, String(value), budget)
    case 'number': {
      const compare = numberTest(op)
      const wanted = Number(value)
      return (row) => {
        const v = def.read(row)
        return v !== null && compare(v, wanted)
      }
    }
    case 'time': {
      const compare = numberTest(op)
      const wanted = Math.floor(parseServerDate(String(value)).getTime() / 1000) * 1000
      return (row) => {
        const v = def.read(row)
        return v !== null && compare(new Date(v).getTime(), wanted)
      }
    }
    case 'bool': {
      if (op !== 'equals') throw new FilterBuilderError(`Invalid operator ${op}`)
      return (row) => {
        const v = def.read(row)
        return v !== null && v === (value === true)
      }
    }
  }
}

/** `scores: {key: {op: "n"}}` → `has(scores, key) AND scores[key] <op> 'n'` (the string read as Int64). */
function scoreLeaf(spec: unknown): Predicate {
  const key = firstKey(spec)
  if (key === undefined) throw new FilterBuilderError('Invalid operator undefined')
  const { op, value } = operatorOf((spec as Record<string, unknown>)[key])
  const fn = SQL_FUNCTION[op]
  if (fn !== undefined)
    throw new QueryError(
      `Illegal type Int64 of first argument of function ${fn}: In scope SELECT ... WHERE scores['${key}'] ${op.toUpperCase()} ... (ILLEGAL_TYPE_OF_ARGUMENT)`,
    )
  const text = String(value)
  if (!/^-?(0|[1-9]\d*)$/.test(text)) {
    throw new QueryError(
      `Cannot convert string '${text}' to type Int64: while executing 'FUNCTION equals(arrayElement(scores, '${key}'), '${text}')'. (TYPE_MISMATCH)`,
    )
  }
  const wanted = Number(text)
  const compare = numberTest(op)
  return (row) => Object.hasOwn(row.scores, key) && compare(row.scores[key] ?? 0, wanted)
}

function plainTextLeaf(def: TextColumn, op: string, value: string, budget: StepBudget): Predicate {
  const isNull = (row: FilterRow) => def.read(row) === null
  if (op === 'equals' && value === 'null') return isNull
  if (op === 'not-equals' && value === 'null') return (row) => !isNull(row)
  if (op === 'equals' && value === '__empty__') {
    return (row) => {
      const v = def.read(row)
      return v !== null && (def.uuid === true ? v.toLowerCase() === ZERO_UUID : v === '')
    }
  }
  if (op === 'not-equals' && value === '__empty__') {
    throw new QueryError('Unknown expression or function identifier `__empty__` in scope SELECT ... (UNKNOWN_IDENTIFIER)')
  }
  if ((op === 'like' || op === 'ilike') && value === 'null') return () => false
  if (def.uuid === true) {
    const fn = SQL_FUNCTION[op]
    if (fn !== undefined) throw new QueryError(`Illegal type UUID of first argument of function ${fn}. (ILLEGAL_TYPE_OF_ARGUMENT)`)
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
      throw new QueryError(`Cannot parse uuid ${value}: Cannot parse UUID from String. (CANNOT_PARSE_UUID)`)
    }
    const wanted = value.toLowerCase()
    return (row) => {
      const v = def.read(row)
      return v !== null && (op === 'equals' ? v.toLowerCase() === wanted : v.toLowerCase() !== wanted)
    }
  }
  const test = textTest(op, value, budget)
  return (row) => {
    const v = def.read(row)
    return v !== null && test(v)
  }
}

/** A text operator over a non-NULL value (LIKE patterns run under the query's step budget). */
export function textTest(op: string, value: string, budget: StepBudget = { steps: 0 }): (v: string) => boolean {
  switch (op) {
    case 'equals':
      return (v) => v === value
    case 'not-equals':
      return (v) => v !== value
    case 'like':
      return compileLike(value, false, budget)
    case 'ilike':
      return compileLike(value, true, budget)
    // `ILIKE '%' || v || '%'`: v is not escaped, so its `%` and `_` stay wildcards.
    case 'contains':
      return compileLike(`%${value}%`, true, budget)
    case 'not-contains': {
      const test = compileLike(`%${value}%`, true, budget)
      return (v) => !test(v)
    }
    default:
      throw new FilterBuilderError(`Invalid operator ${op}`)
  }
}

function numberTest(op: string): (a: number, b: number) => boolean {
  switch (op) {
    case 'equals':
      return (a, b) => a === b
    case 'not-equals':
      return (a, b) => a !== b
    case 'gte':
      return (a, b) => a >= b
    case 'lte':
      return (a, b) => a <= b
    case 'gt':
      return (a, b) => a > b
    case 'lt':
      return (a, b) => a < b
    default:
      throw new FilterBuilderError(`Invalid operator ${op}`)
  }
}
