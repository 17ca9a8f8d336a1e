// Run as a child process by the lock tests: opens the store given as argument, says so, and holds it until
// killed (or until stdin closes, then closes the store cleanly).
import { Store } from '../../src/store/store.ts'

const store = await Store.open({ path: process.argv[2]!, warn: () => {} })
process.stdout.write(`ready ${process.pid}\n`)
process.stdin.resume()
process.stdin.on('end', () => {
  void store.close().then(() => process.exit(0))
})
