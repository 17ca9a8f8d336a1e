/**
 * The bundled price table `POST /v1/logs` prices generations with: USD per million input and output tokens,
 * list prices of the providers' public pricing pages for common models. A model is matched exactly, else on
 * the longest listed prefix (`gpt-4o-2024-08-06` → `gpt-4o`, `claude-3-5-sonnet-20241022` →
 * `claude-3-5-sonnet`); an unknown model costs 0. Costs are in cents, as Portkey reports them.
 */
export type ModelPrice = { input: number; output: number }

export const PRICES_USD_PER_MILLION: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  // Anthropic
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-sonnet': { input: 3, output: 15 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  // Google
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  // Mistral
  'mistral-large-latest': { input: 2, output: 6 },
  'mistral-small-latest': { input: 0.2, output: 0.6 },
  // Groq-hosted Llama
  'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
  'llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
}

/** The price of a model: exact name, else the longest listed prefix; undefined when not listed. */
export function priceOf(model: string): ModelPrice | undefined {
  const exact = PRICES_USD_PER_MILLION[model]
  if (exact !== undefined) return exact
  let best: string | undefined
  for (const name of Object.keys(PRICES_USD_PER_MILLION)) {
    if (model.startsWith(name) && (best === undefined || name.length > best.length)) best = name
  }
  return best === undefined ? undefined : PRICES_USD_PER_MILLION[best]
}

/** Cost in cents (rounded to 1e-6 cent); 0 for an unknown model. */
export function costInCents(model: string, promptTokens: number, completionTokens: number): number {
  const price = priceOf(model)
  if (price === undefined) return 0
  const usd = (promptTokens * price.input + completionTokens * price.output) / 1_000_000
  return Math.round(usd * 100 * 1e6) / 1e6
}
