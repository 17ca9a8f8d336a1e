// Which provider answers a gateway call, and what the gateway itself refuses before any provider is tried:
// the provider, virtual key and config headers, an `@slug/` model prefix, inline configs with targets and
// cache settings. Pure. Portkey-AI/gateway src/middlewares/requestValidator/index.ts, src/globals.ts.
import { headerOf, type HeaderBag } from './trace.ts'

/** The gateway's provider names (Portkey-AI/gateway src/globals.ts `VALID_PROVIDERS`, 1.15.2). */
export const VALID_PROVIDERS: readonly string[] = [
  'anthropic', 'anyscale', 'azure-openai', 'cohere', 'google', 'vertex-ai', 'mistral-ai', 'openai', 'palm',
  'perplexity-ai', 'reka-ai', 'together-ai', 'deepinfra', 'ncompass', 'stability-ai', 'nomic', 'ollama', 'ai21',
  'bedrock', 'groq', 'segmind', 'jina', 'fireworks-ai', 'workers-ai', 'moonshot', 'openrouter', 'lingyi', 'zhipu',
  'novita-ai', 'monsterapi', 'deepseek', 'predibase', 'triton', 'voyage', 'azure-ai', 'github', 'deepbricks',
  'siliconflow', 'huggingface', 'cerebras', 'inference-net', 'sambanova', 'lemonfox-ai', 'upstage', 'lambda',
  'dashscope', 'x-ai', 'cortex', 'sagemaker', 'nebius', 'recraft-ai', 'milvus', 'replicate', 'portkey', 'lepton',
  'kluster-ai', 'nscale', 'hyperbolic', 'bytez', 'featherless-ai', 'krutrim', 'qdrant', '302ai', 'cometapi',
  'matterai', 'meshy', 'tripo3d', 'nextbit', 'modal', 'z-ai', 'oracle', 'iointelligence', 'aibadgr', 'ovhcloud',
] // prettier-ignore

const PROVIDERS_LONGEST_FIRST = [...VALID_PROVIDERS].sort((a, b) => b.length - a.length)

/** A refusal by the gateway itself: 400 `{"status":"failure","message", errors?}`, no `x-portkey-*` headers. */
export class GatewayRefusal extends Error {
  readonly status: number
  readonly errors: string[] | undefined
  constructor(message: string, status = 400, errors?: string[]) {
    super(message)
    this.name = 'GatewayRefusal'
    this.status = status
    this.errors = errors
  }
}

export const NO_PROVIDER = 'Either x-portkey-config or x-portkey-provider header is required'
export const INVALID_PROVIDER = 'Invalid provider passed'
export const INVALID_CONTENT_TYPE = 'Invalid content type passed'
export const INVALID_CONFIG_JSON = 'Invalid config passed. You need to pass a valid json'
export const CONFIG_WITHOUT_PROVIDER =
  'Either x-portkey-provider needs to be passed. Or the x-portkey-config header should have a valid config with provider details in it.'
export const INVALID_CONFIG = 'Invalid config passed'

export type CacheMode = 'simple' | 'semantic'
export type CacheSettings = { mode: CacheMode; maxAgeSeconds: number }

/** Portkey's documented default `max_age` for cached answers: 7 days. */
export const DEFAULT_CACHE_MAX_AGE_S = 7 * 24 * 60 * 60

/** The provider that answers a call and how it was chosen (what the record and the headers report). */
export type ProviderChoice = {
  provider: string
  /** The model as the provider sees it: the body's model without `@slug/`, or the target's `override_params.model`. */
  model: string
  virtualKey?: string
  /** A saved config's slug (an inline config has none). */
  configSlug?: string
  /** `x-portkey-last-used-option-index`: `config`, or the JSON path of the target used. */
  optionIndex: string
  cache?: CacheSettings
}

type ConfigObject = Record<string, unknown>

/** The config header parsed: a slug, an inline object, or none. Throws GatewayRefusal for what the gateway refuses. */
export type ParsedConfig = { kind: 'none' } | { kind: 'slug'; slug: string } | { kind: 'inline'; config: ConfigObject }

function isObject(value: unknown): value is ConfigObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

export function parseConfigHeader(value: string | undefined): ParsedConfig {
  if (value === undefined) return { kind: 'none' }
  // Hosted Portkey takes saved configs by slug; only something that looks like JSON is parsed.
  if (!value.startsWith('{')) return { kind: 'slug', slug: value }
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new GatewayRefusal(INVALID_CONFIG_JSON)
  }
  if (!isObject(parsed)) throw new GatewayRefusal(INVALID_CONFIG_JSON)
  return { kind: 'inline', config: parsed }
}

/** A config's targets, or a fault per bad entry (`path: targets,1, message: …`, the gateway's zod wording). */
function targetsOf(config: ConfigObject, path: string, errors: string[]): ConfigObject[] | undefined {
  const targets = config['targets']
  if (targets === undefined) return undefined
  if (!Array.isArray(targets) || targets.length === 0) {
    errors.push(`path: ${path}targets, message: Expected a non-empty array of targets`)
    return undefined
  }
  targets.forEach((t, i) => {
    if (!isObject(t)) errors.push(`path: ${path}targets,${i}, message: Expected object, received ${Array.isArray(t) ? 'array' : typeof t}`)
  })
  return targets.filter(isObject)
}

/**
 * The gateway's header checks, in its order (content type, provider, config): throws GatewayRefusal. Run
 * before the body is read, as the gateway's request validator runs before its handlers.
 */
export function checkGatewayHeaders(headers: HeaderBag): void {
  const contentType = headerOf(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase()
  if (
    contentType !== undefined &&
    contentType !== 'application/json' &&
    contentType !== 'multipart/form-data' &&
    !contentType.startsWith('audio/')
  ) {
    throw new GatewayRefusal(INVALID_CONTENT_TYPE)
  }
  const provider = headerOf(headers, 'x-portkey-provider')
  if (provider !== undefined && !isKnownProvider(provider)) throw new GatewayRefusal(INVALID_PROVIDER)
  const config = parseConfigHeader(headerOf(headers, 'x-portkey-config'))
  if (config.kind === 'inline') {
    const c = config.config
    if (provider === undefined && c['provider'] === undefined && c['virtual_key'] === undefined && c['targets'] === undefined) {
      throw new GatewayRefusal(CONFIG_WITHOUT_PROVIDER)
    }
    const errors: string[] = []
    targetsOf(c, '', errors)
    if (c['provider'] !== undefined && !isKnownProvider(c['provider'])) errors.push('path: provider, message: Invalid provider')
    if (errors.length > 0) throw new GatewayRefusal(INVALID_CONFIG, 400, errors.slice(0, 20))
  }
}

/** A gateway provider name, or a Model Catalog `@slug` (hosted only). */
function isKnownProvider(value: unknown): boolean {
  return typeof value === 'string' && (VALID_PROVIDERS.includes(value) || /^@[^/\s]+$/.test(value))
}

/** The provider a model's name belongs to, for slugs that do not name one [emulator]. */
export function providerForModel(model: string): string {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase()
  if (name.startsWith('claude')) return 'anthropic'
  if (name.startsWith('gemini') || name.startsWith('gemma')) return 'google'
  if (name.startsWith('mistral') || name.startsWith('codestral') || name.startsWith('ministral') || name.startsWith('pixtral'))
    return 'mistral-ai'
  if (name.startsWith('command') || name.startsWith('embed-')) return 'cohere'
  return 'openai'
}

/** The provider a slug (virtual key, config or Model Catalog slug) stands for: the provider name it starts with, else the model's. */
export function providerForSlug(slug: string, model: string): string {
  const name = slug.replace(/^@/, '').toLowerCase()
  return PROVIDERS_LONGEST_FIRST.find((p) => name === p || name.startsWith(`${p}-`) || name.startsWith(`${p}_`)) ?? providerForModel(model)
}

/** `@slug/model` → `{ slug, model }`; anything else has no slug. */
export function splitModelSlug(model: string): { slug?: string; model: string } {
  const match = /^@([^/]+)\/(.+)$/.exec(model)
  return match === null ? { model } : { slug: match[1]!, model: match[2]! }
}

function cacheOf(config: ConfigObject): CacheSettings | undefined {
  const cache = config['cache']
  const mode = isObject(cache) ? cache['mode'] : cache
  if (mode !== 'simple' && mode !== 'semantic') return undefined
  const maxAge = isObject(cache) ? Number(cache['max_age']) : NaN
  return { mode, maxAgeSeconds: Number.isFinite(maxAge) && maxAge > 0 ? maxAge : DEFAULT_CACHE_MAX_AGE_S }
}

/** The target a config answers with: the first, or for `loadbalance` the first with a weight above 0; nested targets followed. */
function pickTarget(config: ConfigObject, path: string, depth = 0): { target: ConfigObject; path: string } {
  const targets = targetsOf(config, '', [])
  if (targets === undefined || depth >= 8) return { target: config, path }
  const strategy = isObject(config['strategy']) ? config['strategy']['mode'] : undefined
  let index = 0
  if (strategy === 'loadbalance') {
    const weighted = targets.findIndex((t) => !(typeof t['weight'] === 'number' && t['weight'] <= 0))
    index = weighted === -1 ? 0 : weighted
  }
  const chosen = targets[index]!
  return pickTarget(chosen, `${path}.targets[${index}]`, depth + 1)
}

/**
 * The provider of a call whose headers passed `checkGatewayHeaders`: the first of an inline config's target,
 * a config slug, `x-portkey-virtual-key`, `x-portkey-provider`, the model's `@slug/`. GatewayRefusal when
 * there is none.
 */
export function chooseProvider(headers: HeaderBag, bodyModel: string | undefined): ProviderChoice {
  const { slug: modelSlug, model: plainModel } = splitModelSlug(bodyModel ?? '')
  const config = parseConfigHeader(headerOf(headers, 'x-portkey-config'))
  const providerHeader = headerOf(headers, 'x-portkey-provider')
  const virtualKeyHeader = headerOf(headers, 'x-portkey-virtual-key')
  const fromHeaders = (): Omit<ProviderChoice, 'optionIndex'> | null => {
    if (virtualKeyHeader !== undefined)
      return { provider: providerForSlug(virtualKeyHeader, plainModel), model: plainModel, virtualKey: virtualKeyHeader }
    if (providerHeader !== undefined) {
      if (!providerHeader.startsWith('@')) return { provider: providerHeader, model: plainModel }
      const slug = providerHeader.slice(1)
      return { provider: providerForSlug(slug, plainModel), model: plainModel, virtualKey: slug }
    }
    if (modelSlug !== undefined) return { provider: providerForSlug(modelSlug, plainModel), model: plainModel, virtualKey: modelSlug }
    return null
  }

  if (config.kind === 'inline') {
    const { target, path } = pickTarget(config.config, 'config')
    const override = isObject(target['override_params']) ? nonEmptyString(target['override_params']['model']) : undefined
    const model = override === undefined ? plainModel : splitModelSlug(override).model
    const provider = nonEmptyString(target['provider'])
    const virtualKey = nonEmptyString(target['virtual_key'])
    const cache = cacheOf(config.config)
    let chosen: Omit<ProviderChoice, 'optionIndex'> | null
    if (provider !== undefined) {
      chosen = provider.startsWith('@')
        ? { provider: providerForSlug(provider, model), model, virtualKey: provider.slice(1) }
        : { provider, model, ...(virtualKey === undefined ? {} : { virtualKey }) }
    } else if (virtualKey !== undefined) chosen = { provider: providerForSlug(virtualKey, model), model, virtualKey }
    else chosen = fromHeaders()
    if (chosen === null) throw new GatewayRefusal(CONFIG_WITHOUT_PROVIDER)
    return { ...chosen, model: override === undefined ? chosen.model : model, optionIndex: path, ...(cache === undefined ? {} : { cache }) }
  }
  if (config.kind === 'slug') {
    const base = fromHeaders() ?? { provider: providerForSlug(config.slug, plainModel), model: plainModel }
    return { ...base, configSlug: config.slug, optionIndex: 'config' }
  }
  const chosen = fromHeaders()
  if (chosen === null) throw new GatewayRefusal(NO_PROVIDER)
  return { ...chosen, optionIndex: 'config' }
}
