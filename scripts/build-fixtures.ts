// Writes fixtures/default.json from the vendors' deterministic fixture builders (npm run fixtures:build).
import { writeFileSync } from 'node:fs'
import { defaultFixtureText } from './fixtures/default-document.ts'

writeFileSync(new URL('../fixtures/default.json', import.meta.url), defaultFixtureText())
console.log('wrote fixtures/default.json')
