/**
 * The one price table of the emulator, for every vendor: USD per million input and output tokens, the list
 * prices of the providers' public pricing pages (standard tier, prompts up to 200K tokens, no caching or
 * batch discount):
 * - OpenAI: openai.com/api/pricing (platform.openai.com/docs/pricing)
 * - Anthropic: docs.anthropic.com/en/docs/about-claude/pricing
 * - Google: ai.google.dev/gemini-api/docs/pricing
 * - Mistral: mistral.ai/pricing; Groq: groq.com/pricing
 *
 * A model is matched exactly, else on the longest listed prefix (`gpt-4o-2024-08-06` → `gpt-4o`,
 * `claude-3-5-sonnet-20241022` → `claude-3-5-sonnet`, `gemini-3-flash-preview` → `gemini-3-flash`), so a
 * newer snapshot is priced like its family; an unknown model costs 0. A provider prefix
 * (`openai/gpt-4o`, Portkey's `@slug/gpt-4o`) is ignored.
 *
 * Each vendor reports the cost in its own unit: Portkey in cents (`costInCents`), Helicone as USD × 1e9
 * rounded, a ClickHouse UInt64 (`usdToHeliconeCost`), Pulze in USD (`costInUsd`).
 */
export type ModelPrice = { input: number; output: number }

export const PRICES_USD_PER_MILLION: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-3.5-turbo-instruct': { input: 1.5, output: 2 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  // OpenAI embeddings (input only)
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  // Anthropic
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4-6': { input: 3, output: 15 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-sonnet': { input: 3, output: 15 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  // Google
  'gemini-3.1-pro': { input: 2, output: 12 },
  'gemini-3-flash': { input: 0.5, output: 3 },
  'gemini-3.1-flash-lite': { input: 0.25, output: 1.5 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  // Google embeddings (input only)
  'gemini-embedding-001': { input: 0.15, output: 0 },
  // Mistral
  'mistral-large-latest': { input: 2, output: 6 },
  'mistral-small-latest': { input: 0.2, output: 0.6 },
  'mistral-embed': { input: 0.1, output: 0 },
  // Groq-hosted Llama
  'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
  'llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
}

// A Map: the name looked up is the client's model (`__proto__` once priced a call at Object.prototype).
const PRICES = new Map(Object.entries(PRICES_USD_PER_MILLION))
const NAMES_LONGEST_FIRST = [...PRICES.keys()].sort((a, b) => b.length - a.length)

/** The price of a model: exact name, else the longest listed prefix; undefined when not listed. */
export function priceOf(model: string): ModelPrice | undefined {
  const name = model.slice(model.lastIndexOf('/') + 1)
  const exact = PRICES.get(name)
  if (exact !== undefined) return exact
  const prefix = NAMES_LONGEST_FIRST.find((listed) => name.startsWith(listed))
  return prefix === undefined ? undefined : PRICES.get(prefix)
}

/** USD of a call, split as Pulze's `metadata.costs` reports it; all 0 for an unknown model. */
export type CostBreakdown = { prompt: number; completion: number; total: number }

export function costBreakdownUsd(model: string, promptTokens: number, completionTokens: number): CostBreakdown {
  const price = priceOf(model)
  if (price === undefined) return { prompt: 0, completion: 0, total: 0 }
  const prompt = roundUsd((promptTokens * price.input) / 1_000_000)
  const completion = roundUsd((completionTokens * price.output) / 1_000_000)
  return { prompt, completion, total: roundUsd(prompt + completion) }
}

/** Cost in USD, as Pulze reports it (rounded to 1e-12 USD to drop float noise); 0 for an unknown model. */
export function costInUsd(model: string, promptTokens: number, completionTokens: number): number {
  return costBreakdownUsd(model, promptTokens, completionTokens).total
}

/** Cost in cents, as Portkey reports it (rounded to 1e-6 cent); 0 for an unknown model. */
export function costInCents(model: string, promptTokens: number, completionTokens: number): number {
  return Math.round(costInUsd(model, promptTokens, completionTokens) * 100 * 1e6) / 1e6
}

/** Helicone's stored cost: USD × 1e9 rounded (`COST_PRECISION_MULTIPLIER`, Helicone packages/cost/costCalc.ts). */
export function usdToHeliconeCost(usd: number): number {
  return Math.round(usd * 1e9)
}

/** Cost as Helicone stores it; 0 for an unknown model. */
export function costInHeliconeUnits(model: string, promptTokens: number, completionTokens: number): number {
  return usdToHeliconeCost(costInUsd(model, promptTokens, completionTokens))
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e12) / 1e12
}
