// The dashboard's entry point (bundled by scripts/build-ui.mjs into dist/ui/app.js and app.css).
import 'uplot/dist/uPlot.min.css'
import './styles.css'
import { render } from 'preact'
import { App } from './app.tsx'

render(<App />, document.getElementById('app')!)
