// Rewrites a generated store file the way the emulator writes its own store (its snapshot layout and
// checksum), with the emulator's own reader and writer. Run as a child by `cachedEmulatorStore`:
//   node --import tsx bench/lib/rewrite-store.ts <generated.json> <out.json>
import { SnapshotFile } from '../../src/store/snapshot-file.ts'
import { toStoreDocument } from '../../src/store/store-document.ts'

const [from, to] = process.argv.slice(2)
if (from === undefined || to === undefined) throw new Error('usage: rewrite-store.ts <generated.json> <out.json>')
const { data, seq } = toStoreDocument(await new SnapshotFile(from, () => 0).read(), from)
await new SnapshotFile(to, () => seq).write(data)
