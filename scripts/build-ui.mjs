// Bundles the dashboard (src/ui) into dist/ui: index.html, app.js (Preact, uPlot, openapi-fetch and our code,
// minified) and app.css. Run by `npm run build` (and so by `npm install`); the browser tests call buildUi()
// so that they always test the current source. Fails when the script is over the budget, gzipped.
import { build } from 'esbuild'
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The budget for the dashboard's JavaScript, gzipped. */
export const JS_BUDGET_GZIP_BYTES = 300 * 1024

/** Builds dist/ui; returns the raw and gzipped size of each file. */
export async function buildUi({ outdir = `${ROOT}dist/ui` } = {}) {
  await rm(outdir, { recursive: true, force: true })
  await mkdir(outdir, { recursive: true })
  await build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'src/ui/main.tsx' },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: 'src/ui/tsconfig.json',
    legalComments: 'none',
    logLevel: 'warning',
  })
  await copyFile(`${ROOT}src/ui/index.html`, `${outdir}/index.html`)
  const sizes = {}
  for (const name of ['app.js', 'app.css', 'index.html']) {
    const content = await readFile(`${outdir}/${name}`)
    sizes[name] = { raw: content.length, gzip: gzipSync(content, { level: 9 }).length }
  }
  if (sizes['app.js'].gzip > JS_BUDGET_GZIP_BYTES) {
    throw new Error(`dist/ui/app.js is ${sizes['app.js'].gzip} bytes gzipped, over the ${JS_BUDGET_GZIP_BYTES}-byte budget`)
  }
  return sizes
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = await buildUi()
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  const line = Object.entries(sizes)
    .map(([name, s]) => `${name} ${kb(s.raw)} (${kb(s.gzip)} gzipped)`)
    .join(', ')
  console.log(`dashboard: dist/ui: ${line}`)
}
