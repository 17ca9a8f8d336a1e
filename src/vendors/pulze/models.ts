// Pulze's request models as pydantic hands them to the handlers (datetimes already in epoch milliseconds).
/** `LogResponseRatingRequest` as parsed: the schema's own field names. */
export type Rating = { good_answer: boolean | null; feedback: string | null }

export type SortSpec = { col: string; order: 'asc' | 'desc'; multiple: boolean }
/** `FilterLogsRequest` as parsed (datetimes in epoch milliseconds). */
export type FilterLogsModel = {
  date_from: number
  date_to: number | null
  app_ids: string[]
  labels: Record<string, string> | null
  params: SortSpec[]
  query: string
}
/** The search's view of a `FilterLogsRequest`. */
export type LogFilter = {
  dateFrom: number
  dateTo: number | null
  appIds: string[]
  labels: Record<string, string> | null
  params: SortSpec[]
  query: string
}

export const toLogFilter = (model: FilterLogsModel): LogFilter => ({
  dateFrom: model.date_from,
  dateTo: model.date_to,
  appIds: model.app_ids,
  labels: model.labels,
  params: model.params,
  query: model.query,
})
