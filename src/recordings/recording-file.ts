import type { RecordedInteraction, RecordingDocument } from './recording-document.ts'
import { AtomicJsonFile } from '../store/atomic-json-file.ts'

/**
 * The file a recording session appends to: a fixture document with `recordings`. An existing file is
 * extended, not replaced. Every append replaces the file atomically (temporary file, fsync, rename) and
 * resolves once the interaction is on disk.
 */
export class RecordingFile {
  readonly filename: string
  #file: AtomicJsonFile<RecordingDocument>
  #doc: RecordingDocument & { recordings: RecordedInteraction[] }

  private constructor(
    filename: string,
    file: AtomicJsonFile<RecordingDocument>,
    doc: RecordingDocument & { recordings: RecordedInteraction[] },
  ) {
    this.filename = filename
    this.#file = file
    this.#doc = doc
  }

  static async open(filename: string, description?: string): Promise<RecordingFile> {
    const file = new AtomicJsonFile<RecordingDocument>(filename)
    let existing: unknown
    try {
      existing = await file.read()
    } catch (error) {
      throw new Error(`${filename}: not a recording file (${(error as Error).message})`)
    }
    if (existing !== null && (typeof existing !== 'object' || Array.isArray(existing))) {
      throw new Error(`${filename}: not a recording file (a JSON object is expected)`)
    }
    const doc = (existing ?? {}) as RecordingDocument
    if (doc.recordings !== undefined && !Array.isArray(doc.recordings)) throw new Error(`${filename}: $.recordings is not an array`)
    const base = existing === null && description !== undefined ? { description } : {}
    return new RecordingFile(filename, file, { ...base, ...doc, recordings: doc.recordings ?? [] })
  }

  get count(): number {
    return this.#doc.recordings.length
  }

  /** Adds one interaction; resolves once the file on disk holds it. */
  append(interaction: RecordedInteraction): Promise<void> {
    this.#doc.recordings.push(interaction)
    return this.#file.write(this.#doc)
  }

  /** Waits for every append to reach the disk. */
  flush(): Promise<void> {
    return this.#file.flush()
  }
}
