import { HttpError } from './http-error.ts'

/** An RFC 9457 problem document: the error shape of the emulator's own endpoints (control API, strict mode, replay). */
export type Problem = {
  type?: string
  title: string
  status: number
  detail?: string
  [extension: string]: unknown
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** Where the emulator's own problem types are named. */
export const PROBLEM_TYPE_BASE = 'https://llm-feedback-emulator.local/problems/'

/** A problem answer, thrown or sent like any vendor error. `undefined` members are left out. */
export function problem(status: number, title: string, members: Omit<Partial<Problem>, 'status' | 'title'> = {}): HttpError {
  const body: Problem = { title, status }
  for (const [name, value] of Object.entries(members)) if (value !== undefined) body[name] = value
  if (body.type !== undefined && !body.type.includes(':')) body.type = `${PROBLEM_TYPE_BASE}${body.type}`
  return HttpError.fresh(status, body, { 'content-type': PROBLEM_CONTENT_TYPE })
}
