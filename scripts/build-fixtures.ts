// Writes fixtures/default.json from the vendors' deterministic fixture builders.
// Timestamps are written relative to TIME_ANCHOR; on load they are moved so that the anchor becomes "now".
// Run: npx tsx scripts/build-fixtures.ts   (npm run fixtures:build)
import { writeFileSync } from 'node:fs'
import { buildHeliconeFixture } from './fixtures/helicone.ts'
import { buildPortkeyFixture } from './fixtures/portkey.ts'
import { buildPulzeFixture } from './fixtures/pulze.ts'

const TIME_ANCHOR = new Date('2026-01-01T00:00:00.000Z')

const doc = {
  description:
    'Demo tenants for npm start: one per vendor, with records spread over the 30 days before timeAnchor (shifted to "now" on load). Dev keys: Portkey pk-emulator-dev, Helicone sk-helicone-emulator-dev, Pulze sk-pulze-emulator-dev.',
  timeAnchor: TIME_ANCHOR.toISOString(),
  portkey: buildPortkeyFixture(TIME_ANCHOR),
  helicone: buildHeliconeFixture(TIME_ANCHOR),
  pulze: buildPulzeFixture(TIME_ANCHOR),
}

const file = new URL('../fixtures/default.json', import.meta.url)
writeFileSync(file, `${JSON.stringify(doc, null, 1)}\n`)
console.log(`wrote fixtures/default.json (${doc.portkey.length + doc.helicone.length + doc.pulze.length} tenants)`)
