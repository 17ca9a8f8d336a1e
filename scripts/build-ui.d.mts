// Types of scripts/build-ui.mjs (the test setup imports it).
export declare const JS_BUDGET_GZIP_BYTES: number
export type BuiltFileSize = { raw: number; gzip: number }
export declare function buildUi(options?: { outdir?: string }): Promise<Record<'app.js' | 'app.css' | 'index.html', BuiltFileSize>>
