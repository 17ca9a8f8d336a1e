/** An error in the emulator's configuration (bad fixture, keys, recording or store file): the CLI exits 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
