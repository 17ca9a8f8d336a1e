// The few file-system steps a durable store needs beyond node:fs: syncing a folder (so a rename or a new
// file survives power loss) and temporary names no other writer can pick.
import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** fsyncs a folder, making the renames and creations in it durable. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * A temporary name beside `file`, unique across processes, containers and stores in one process
 * (`<file>.<pid>.tmp` is not: two stores in one process, or PID 1 in two containers on one volume).
 */
export function temporaryName(file: string): string {
  return join(dirname(file), `${basename(file)}.${randomBytes(8).toString('hex')}.tmp`)
}

/** Does `name` look like a temporary file `temporaryName(file)` (or an older `<file>.<pid>.tmp`) gave? */
export function isTemporaryNameOf(file: string, name: string): boolean {
  const prefix = `${basename(file)}.`
  return name.startsWith(prefix) && name.endsWith('.tmp') && /^[0-9a-f]+$/.test(name.slice(prefix.length, -4))
}
