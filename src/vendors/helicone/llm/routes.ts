// The worker's LLM routes as the emulator mounts them: which operation is which flavour and API, and which
// mount a path falls under (the real worker picks its router from the host name; here the first path part).
import type { CompletionApi } from '../../../completions/index.ts'

/** `oai`, `anthropic`, `gateway`: the proxy; `ai-gateway`: the AI gateway. */
export type LlmMount = 'oai' | 'anthropic' | 'gateway' | 'ai-gateway'
export type LlmRoute = { mount: LlmMount; api: CompletionApi }

export const LLM_ROUTES: Readonly<Record<string, LlmRoute>> = {
  proxyOpenAiChatCompletions: { mount: 'oai', api: 'chat' },
  proxyOpenAiCompletions: { mount: 'oai', api: 'completions' },
  proxyOpenAiEmbeddings: { mount: 'oai', api: 'embeddings' },
  proxyAnthropicMessages: { mount: 'anthropic', api: 'messages' },
  gatewayChatCompletions: { mount: 'gateway', api: 'chat' },
  gatewayCompletions: { mount: 'gateway', api: 'completions' },
  gatewayEmbeddings: { mount: 'gateway', api: 'embeddings' },
  gatewayMessages: { mount: 'gateway', api: 'messages' },
  aiGatewayChatCompletions: { mount: 'ai-gateway', api: 'chat' },
  aiGatewayRootChatCompletions: { mount: 'ai-gateway', api: 'chat' },
}

/** The LLM route of an operation, if it is one. */
export function llmRouteOf(operationId: string | undefined): LlmRoute | undefined {
  return operationId !== undefined && Object.hasOwn(LLM_ROUTES, operationId) ? LLM_ROUTES[operationId] : undefined
}

const MOUNTS: readonly LlmMount[] = ['ai-gateway', 'oai', 'anthropic', 'gateway']

/**
 * The LLM mount a vendor-relative path is under (`/oai/v1/models` → `oai`), or undefined. The manual
 * logging routes `/oai/v1/log` and `/anthropic/v1/log` (another worker host in reality) are not.
 */
export function llmMountOf(path: string): LlmMount | undefined {
  if (path === '/oai/v1/log' || path === '/anthropic/v1/log') return undefined
  return MOUNTS.find((m) => path === `/${m}` || path.startsWith(`/${m}/`))
}

/** The path as the worker's host sees it: what follows the mount (`/oai/v1/chat/completions` → `/v1/chat/completions`). */
export function pathAfterMount(path: string, mount: LlmMount): string {
  const rest = path.slice(mount.length + 1)
  return rest === '' ? '/' : rest
}
