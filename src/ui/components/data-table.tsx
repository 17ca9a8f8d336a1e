// A real <table>: a caption, column headers, sortable columns (a button in each header, `aria-sort` on it) and
// pages. Rows are given whole (sorting and paging happen here); server-paged tables use <Pager> alone.
import type { ComponentChildren } from 'preact'
import { useMemo, useState } from 'preact/hooks'

export type Column<Row> = {
  key: string
  label: string
  render: (row: Row) => ComponentChildren
  /** What the column sorts by; a column without one is not sortable. */
  sortValue?: (row: Row) => string | number | null | undefined
  numeric?: boolean
}

type Sort = { key: string; descending: boolean }

function compare(a: string | number | null | undefined, b: string | number | null | undefined): number {
  if (a === b) return 0
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  return a < b ? -1 : 1
}

export function DataTable<Row>(props: {
  id: string
  /** What the rows are, for the pager's name ("Pages of the feedback"). */
  label: string
  caption: ComponentChildren
  columns: readonly Column<Row>[]
  rows: readonly Row[]
  rowKey: (row: Row) => string
  pageSize?: number
  initialSort?: Sort
  empty?: string
}) {
  const pageSize = props.pageSize ?? 20
  const [sort, setSort] = useState<Sort | null>(props.initialSort ?? null)
  const [page, setPage] = useState(0)
  const sorted = useMemo(() => {
    const column = props.columns.find((c) => c.key === sort?.key)
    if (sort === null || column?.sortValue === undefined) return props.rows
    const value = column.sortValue
    const rows = [...props.rows].sort((a, b) => compare(value(a), value(b)))
    return sort.descending ? rows.reverse() : rows
  }, [props.rows, props.columns, sort])
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize))
  const current = Math.min(page, pages - 1)
  const shown = sorted.slice(current * pageSize, (current + 1) * pageSize)

  return (
    <div class="table-block">
      <div class="table-scroll">
        <table id={props.id}>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              {props.columns.map((column) => {
                const active = sort?.key === column.key
                const ariaSort = active ? (sort.descending ? 'descending' : 'ascending') : undefined
                return (
                  <th scope="col" key={column.key} class={column.numeric === true ? 'numeric' : undefined} aria-sort={ariaSort}>
                    {column.sortValue === undefined ? (
                      column.label
                    ) : (
                      <button
                        type="button"
                        class="sort"
                        data-column={column.key}
                        onClick={() => {
                          setSort({ key: column.key, descending: active ? !sort.descending : false })
                          setPage(0)
                        }}
                      >
                        {column.label}
                        <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ' ↕'}</span>
                      </button>
                    )}
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={props.columns.length} class="empty">
                  {props.empty ?? 'Nothing here yet.'}
                </td>
              </tr>
            ) : (
              shown.map((row) => (
                <tr key={props.rowKey(row)} data-key={props.rowKey(row)}>
                  {props.columns.map((column) => (
                    <td key={column.key} class={column.numeric === true ? 'numeric' : undefined} data-column={column.key}>
                      {column.render(row)}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <Pager
          label={props.label}
          page={current}
          hasNext={current < pages - 1}
          onPage={setPage}
          summary={`Page ${current + 1} of ${pages} · ${sorted.length} rows`}
        />
      )}
    </div>
  )
}

/** Previous / next buttons and where we are. */
export function Pager(props: { label: string; page: number; hasNext: boolean; onPage: (page: number) => void; summary: string }) {
  return (
    <nav class="pager" aria-label={`Pages of ${props.label}`}>
      <button type="button" disabled={props.page === 0} onClick={() => props.onPage(props.page - 1)}>
        Previous
      </button>
      <span aria-live="polite">{props.summary}</span>
      <button type="button" disabled={!props.hasNext} onClick={() => props.onPage(props.page + 1)}>
        Next
      </button>
    </nav>
  )
}
