// Throughput floor: a bare Express 5 app answering fixed JSON (Prism's example answer for Portkey's
// `POST /v1/feedback`), no body parsing, no validation, no store. Plain node, no loader.
// Prints `listening on http://127.0.0.1:PORT` like the emulator.
import express from 'express'

const ANSWER = { status: 'success', message: 'Feedback saved successfully', feedback_ids: ['8c1a4fbf-26d9-49df-82ca-ab772ba397d2'] }

const app = express()
app.post('/v1/feedback', (_req, res) => {
  res.json(ANSWER)
})
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`)
})
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
