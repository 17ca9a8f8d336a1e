// The part of autocannon 9's programmatic API the bench uses (its README, "API" and "Results"); the package
// ships no types and @types/autocannon describes version 7.
declare module 'autocannon' {
  type Histogram = { average: number; mean: number; min: number; max: number; total: number; p50: number; p90: number; p99: number }
  export type Options = {
    url: string
    method?: string
    headers?: Record<string, string>
    body?: string
    connections?: number
    duration?: number
    timeout?: number
  }
  export type Result = {
    requests: Histogram
    latency: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    statusCodeStats: Record<string, { count: number }>
  }
  export default function autocannon(options: Options): Promise<Result>
}
