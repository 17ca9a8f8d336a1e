// Global setup of the http project: bundles the dashboard (src/ui → dist/ui) once per run, so that the
// emulators the tests start serve the current source (esbuild: well under a second).
import { buildUi } from '../../scripts/build-ui.mjs'

export default async function setup(): Promise<void> {
  await buildUi()
}
