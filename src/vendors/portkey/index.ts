// Stub until the portkey emulation lands: serves nothing (its spec has no paths).
import { HttpError } from '../../http/http-error.ts'
import type { VendorModule } from '../vendor.ts'

const notFound = () => new HttpError(404, { message: 'Not Found' })

export const portkeyVendor: VendorModule = {
  name: 'portkey',
  errors: {
    invalidRequest: () => new HttpError(400, { message: 'Invalid request' }),
    malformedJson: () => new HttpError(400, { message: 'Malformed JSON' }),
    notFound,
    methodNotAllowed: notFound,
    payloadTooLarge: () => new HttpError(413, { message: 'Payload Too Large' }),
    internal: () => new HttpError(500, { message: 'Internal Server Error' }),
  },
  authenticate: () => null,
  createHandlers: () => ({}),
  emptyState: () => ({}),
  fixtures: {
    toState: () => ({}),
    fromState: (_state, apiKey) => ({ apiKey }),
    shiftTimes: (block) => block,
  },
}
