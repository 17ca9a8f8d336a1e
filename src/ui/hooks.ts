// Data loading with live refresh: a page states what it loads and which live events concern it.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ControlApiError, describeError } from './api.ts'
import { onLiveEvent, type LiveEvent } from './live.ts'

/** Refetches are at most this often (a burst of writes refreshes a page once). */
const REFRESH_MS = 300

export type Resource<T> = { data: T | undefined; error: string | null; loading: boolean; reload: () => void }

let unauthorized: () => void = () => {}

/** What to do when the control API refuses the token (the app asks for it again). */
export function setUnauthorizedHandler(handler: () => void): void {
  unauthorized = handler
}

/** The control API refused the token (a 401 outside useResource, such as the event stream's). */
export function reportUnauthorized(): void {
  unauthorized()
}

/**
 * Loads `load()` now, again when `deps` change, and when a live event `concerns` the page. Answers that come
 * back out of order are dropped (only the newest request's answer is shown).
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[], concerns: (event: LiveEvent) => boolean): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  })
  const generation = useRef(0)
  const loadRef = useRef(load)
  loadRef.current = load
  const concernsRef = useRef(concerns)
  concernsRef.current = concerns

  const reload = useCallback(() => {
    const mine = ++generation.current
    setState((s) => ({ ...s, loading: true }))
    loadRef.current().then(
      (data) => {
        if (mine === generation.current) setState({ data, error: null, loading: false })
      },
      (error: unknown) => {
        if (error instanceof ControlApiError && error.status === 401) unauthorized()
        if (mine === generation.current) setState((s) => ({ ...s, error: describeError(error), loading: false }))
      },
    )
  }, [])

  useEffect(reload, deps)

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null
    const stop = onLiveEvent((event) => {
      if (timer !== null || !concernsRef.current(event)) return
      timer = setTimeout(() => {
        timer = null
        reload()
      }, REFRESH_MS)
    })
    return () => {
      stop()
      if (timer !== null) clearTimeout(timer)
    }
  }, [reload])

  return { ...state, reload }
}
