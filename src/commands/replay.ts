// `llm-feedback-emulator replay FILE… [options]`: the server with those recordings in front of it
// (as `--replay FILE`), and an in-memory store unless --db is given, so a replay leaves nothing behind.
import { run as serve } from './serve.ts'

export function run(argv: string[]): Promise<void> {
  return serve(argv, { db: ':memory:', positionalsAreReplayFiles: true })
}
