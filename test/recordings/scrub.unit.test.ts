// Issue 13, case 12: one scrubber, by name and by value shape, for everything a recording writes or prints.
import { expect, test } from 'vitest'
import { createScrubber, isSecretName, SCRUBBED, scrubUrl } from '../../src/recordings/scrub.ts'

// Real key formats (made-up values of the right shape).
const SHAPED = [
  ['OpenAI', 'sk-proj-4fQx7Zk2L9mNpR3sT8vW1yB6cD0eFgHj'],
  ['Anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
  ['Helicone', 'sk-helicone-abcdefg-hijklmn-opqrstu-vwxyz12'],
  ['Stripe', 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr'],
  ['Google', 'AIzaSyD4fQx7Zk2L9mNpR3sT8vW1yB6cD0eFgHj'],
  ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
  ['AWS session key id', 'ASIAIOSFODNN7EXAMPLE'],
  ['GitHub classic', 'ghp_4fQx7Zk2L9mNpR3sT8vW1yB6cD0eFgHjKlMn'],
  ['GitHub fine-grained', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
  ['Hugging Face', 'hf_4fQx7Zk2L9mNpR3sT8vW1yB6cD0eFgHjKl'],
  ['Slack', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp'],
  ['GitLab', 'glpat-4fQx7Zk2L9mNpR3sT8vW'],
  ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['Bearer', 'Bearer abc.def-123'],
  ['Basic', 'Basic dXNlcjpwYXNzd29yZA=='],
] as const

test.each(SHAPED)('a %s key is scrubbed by its shape, wherever it is in a string', (_name, secret) => {
  const scrub = createScrubber()
  expect(scrub.text(`before ${secret} after`)).toBe(`before ${SCRUBBED} after`)
  expect(scrub.value({ note: [`x ${secret}`] })).toEqual({ note: [`x ${SCRUBBED}`] })
})

test.each([
  'secret_key',
  'auth_token',
  'aws_secret_access_key',
  'x-auth-token',
  'hf_token',
  'openaiApiKey',
  'OPENAI_API_KEY',
  'api-key',
  'apikey',
  'access_token',
  'client_secret',
  'password',
  'Authorization',
  'helicone-auth',
  'private_key',
  'sessionId',
  'Set-Cookie',
])('a field named %s is scrubbed whatever its value', (name) => {
  expect(isSecretName(name)).toBe(true)
  expect(createScrubber().value({ [name]: 'plain-looking', other: 'plain-looking' })).toEqual({ [name]: SCRUBBED, other: 'plain-looking' })
})

test.each(['max_tokens', 'prompt_tokens', 'total_tokens', 'completion_tokens', 'tokenizer', 'author', 'keywords', 'monkey', 'trace_id'])(
  'a field named %s is data, not a secret',
  (name) => {
    expect(isSecretName(name)).toBe(false)
  },
)

test('secrets inside JSON-encoded strings, form bodies, paths and queries are scrubbed', () => {
  const scrub = createScrubber()
  const encoded = JSON.stringify({ api_key: 'abc123', model: 'gpt-4o', nested: { auth_token: 'x' } })
  expect(JSON.parse(scrub.text(encoded) as string)).toEqual({ api_key: SCRUBBED, model: 'gpt-4o', nested: { auth_token: SCRUBBED } })
  expect(scrub.value({ body: encoded })).toEqual({
    body: JSON.stringify({ api_key: SCRUBBED, model: 'gpt-4o', nested: { auth_token: SCRUBBED } }),
  })
  // Unchanged JSON text stays as written.
  expect(scrub.text('{ "a": 1 }')).toBe('{ "a": 1 }')
  expect(scrub.text('grant_type=client_credentials&client_secret=hunter2&client_id=app')).toBe(
    `grant_type=client_credentials&client_secret=${encodeURIComponent(SCRUBBED)}&client_id=app`,
  )
  expect(scrubUrl('/v1/feedback?api_key=abc123&page=2')).toBe(`/v1/feedback?api_key=${encodeURIComponent(SCRUBBED)}&page=2`)
  expect(scrubUrl('/v1/logs/sk-4fQx7Zk2L9mNpR3sT8vW?x=1')).toBe(`/v1/logs/${SCRUBBED}?x=1`)
  // The request's own key, whatever its shape (a Portkey key), is scrubbed wherever it is echoed.
  expect(createScrubber(['Bearer plainportkeykey']).text('key plainportkeykey echoed')).toBe(`key ${SCRUBBED} echoed`)
})
