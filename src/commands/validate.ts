import { parseArgs } from 'node:util'
import { Low, Memory } from 'lowdb'
import { KeyRegistry } from '../config/key-registry.ts'
import { applyFixtureDocument, FixtureError, readFixtureFiles, type FixtureProblem } from '../fixtures/fixture-document.ts'
import { checkRecordingDocument, type RecordingDocument } from '../recordings/recording-document.ts'
import { emptyData, type Data } from '../store/data.ts'
import { VENDORS } from '../vendors/index.ts'
import { VENDOR_NAMES } from '../vendors/vendor-name.ts'

const USAGE = `Usage: llm-feedback-emulator validate PATH... [--quiet]

Checks fixture documents and recording files (a file, or a folder of *.json) against the specs:
the document's shape, every vendor record, and every recorded request and response against the
operation it calls. Prints one OK line per good file and one line per fault, with its JSON path:
  fixtures/broken.json: $.portkey[0].feedback[3].value: must be <= 10

Exit codes: 0 all valid, 1 a file has faults, 2 bad usage or a path that cannot be read.`

export type FileReport = { source: string; problems: FixtureProblem[]; summary: string }

/** Checks one parsed document: shape, vendor records (as loading them would), recordings against the specs. */
export function validateDocument(source: string, doc: unknown): FileReport {
  const problems = checkRecordingDocument(doc)
  if (problems.length === 0) {
    try {
      // Loading into a scratch store runs each vendor's own checks (references between records, …).
      applyFixtureDocument(new Low<Data>(new Memory<Data>(), emptyData()), source, doc, {
        vendors: VENDORS,
        keys: new KeyRegistry(),
        now: new Date(),
      })
    } catch (error) {
      if (error instanceof FixtureError) problems.push(...error.problems)
      else problems.push({ path: '$', message: (error as Error).message })
    }
  }
  const parts: string[] = []
  const typed = doc as RecordingDocument
  for (const vendor of VENDOR_NAMES) {
    const blocks = typed[vendor]
    if (Array.isArray(blocks) && blocks.length > 0) parts.push(`${blocks.length} ${vendor} tenant${blocks.length === 1 ? '' : 's'}`)
  }
  const recordings = Array.isArray(typed.recordings) ? typed.recordings.length : 0
  if (recordings > 0) parts.push(`${recordings} recording${recordings === 1 ? '' : 's'}`)
  return { source, problems, summary: parts.length > 0 ? parts.join(', ') : 'empty document' }
}

export async function run(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    })
  } catch (error) {
    process.stderr.write(`llm-feedback-emulator validate: ${(error as Error).message}\n\n${USAGE}\n`)
    return 2
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (parsed.positionals.length === 0) {
    process.stderr.write(`llm-feedback-emulator validate: give at least one PATH\n\n${USAGE}\n`)
    return 2
  }

  let code = 0
  for (const path of parsed.positionals) {
    let files: { source: string; doc: unknown }[]
    try {
      files = await readFixtureFiles([path])
    } catch (error) {
      if (!(error instanceof FixtureError)) throw error
      // Unreadable JSON is a fault of the file; a missing path is a usage error.
      const missing = error.problems.some((p) => p.message === 'no such file or folder')
      process.stderr.write(`${error.message}\n`)
      code = Math.max(code, missing ? 2 : 1)
      continue
    }
    if (files.length === 0) process.stderr.write(`${path}: no *.json files\n`)
    for (const { source, doc } of files) {
      const report = validateDocument(source, doc)
      if (report.problems.length === 0) {
        if (parsed.values.quiet !== true) process.stdout.write(`${source}: OK (${report.summary})\n`)
        continue
      }
      code = Math.max(code, 1)
      for (const p of report.problems) process.stderr.write(`${source}: ${p.path}: ${p.message}\n`)
    }
  }
  return code
}
