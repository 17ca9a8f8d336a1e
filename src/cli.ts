#!/usr/bin/env node
// The `llm-feedback-emulator` binary: the server by default, or a subcommand from src/commands/<name>.ts.
const SUBCOMMANDS = ['record', 'replay', 'validate', 'coverage']
const [first, ...rest] = process.argv.slice(2)
if (first !== undefined && SUBCOMMANDS.includes(first)) {
  const command = (await import(`./commands/${first}.js`)) as { run(argv: string[]): Promise<number | void> }
  const code = await command.run(rest)
  if (typeof code === 'number') process.exitCode = code
} else {
  const serve = await import('./commands/serve.ts')
  await serve.run(process.argv.slice(2))
}
