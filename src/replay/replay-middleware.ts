import type { RequestHandler } from 'express'
import type { VendorModule } from '../vendors/vendor.ts'

export type ReplayOptions = {
  /** Recording files (fixture documents with recorded interactions). */
  files: string[]
  /** Unmatched requests get a clear 404 instead of falling back to the stateful emulator. */
  strict?: boolean
}

/**
 * Serves recorded interactions before the stateful emulator sees the request.
 * Stub: replaced by the recording/replay work (issue 5).
 */
export async function createReplayMiddleware(_options: ReplayOptions, _vendors: readonly VendorModule[]): Promise<RequestHandler> {
  return (_req, _res, next) => next()
}
