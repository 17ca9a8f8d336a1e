// Charts (uPlot on a canvas) with their text alternative: a <figure> whose caption says what is drawn, the
// canvas hidden from assistive technology, and the same numbers in a table (the children) below it.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'

/** Series colours (readable on white, distinct for the common kinds of colour blindness). */
export const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'] as const

const HEIGHT = 260

/** The chart's element keeps its uPlot instance (the browser tests read the numbers it draws from it). */
export type ChartElement = HTMLDivElement & { uplot?: uPlot }

function Plot(props: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData }) {
  const target = useRef<ChartElement>(null)
  useEffect(() => {
    const element = target.current
    if (element === null) return undefined
    const plot = new uPlot({ ...props.options, width: Math.max(element.clientWidth, 320), height: HEIGHT }, props.data, element)
    element.uplot = plot
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 320), height: HEIGHT }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      plot.destroy()
      delete element.uplot
    }
  }, [props.options, props.data])
  return <div class="plot" ref={target} aria-hidden="true" />
}

export function Figure(props: {
  id: string
  title: string
  description: ComponentChildren
  /** Facts of what is drawn (window, increment…), as `data-*` attributes of the figure. */
  facts?: Record<string, string>
  options: Omit<uPlot.Options, 'width' | 'height'>
  data: uPlot.AlignedData
  /** The text alternative: the numbers drawn, as a table. */
  children: ComponentChildren
}) {
  const facts = Object.fromEntries(Object.entries(props.facts ?? {}).map(([k, v]) => [`data-${k}`, v]))
  return (
    <figure id={props.id} class="chart" aria-labelledby={`${props.id}-title`} {...facts}>
      <figcaption>
        <h3 id={`${props.id}-title`}>{props.title}</h3>
        <p class="hint">{props.description}</p>
      </figcaption>
      <Plot options={props.options} data={props.data} />
      {props.children}
    </figure>
  )
}

/** Options of a bar chart over integer categories (the score distribution). */
export function barOptions(label: string): Omit<uPlot.Options, 'width' | 'height'> {
  const bars = uPlot.paths.bars?.({ size: [0.6, 48] })
  return {
    // Scores on a number line (Portkey's values are integers from -10 to 10), one unit of room on each side so
    // that the first and last bars are drawn whole, and a tick under each bar.
    scales: {
      x: { time: false, range: (_u, min, max) => [min - 1, max + 1] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    legend: { show: false },
    cursor: { points: { show: false } },
    axes: [
      {
        label: 'score',
        splits: (u) => Array.from(u.data[0]),
        values: (_u, splits) => splits.map((score) => String(score)),
      },
      { label },
    ],
    series: [
      { label: 'score' },
      {
        label,
        fill: `${PALETTE[0]}cc`,
        stroke: PALETTE[0] as string,
        ...(bars === undefined ? {} : { paths: bars }),
        points: { show: false },
      },
    ],
  }
}

/** Options of a line chart over time (x in seconds since the epoch, drawn in the browser's time zone). */
export function timeOptions(
  seriesLabels: readonly string[],
  yLabel: string,
  /** Series drawn against a second, 0–1 axis on the right. */
  share?: { isShare: (label: string) => boolean; label: string },
): Omit<uPlot.Options, 'width' | 'height'> {
  const shareShown = share !== undefined && seriesLabels.some(share.isShare)
  return {
    scales: { x: { time: true }, ...(shareShown ? { share: { range: [0, 1] as [number, number] } } : {}) },
    axes: [{}, { label: yLabel }, ...(shareShown ? [{ scale: 'share', side: 1 as const, label: share.label, grid: { show: false } }] : [])],
    series: [
      { label: 'time' },
      ...seriesLabels.map((label, i) => ({
        label,
        ...(shareShown && share.isShare(label) ? { scale: 'share' } : {}),
        stroke: PALETTE[i % PALETTE.length] ?? '#333',
        width: 2,
        points: { show: true, size: 5 },
        spanGaps: false,
      })),
    ],
  }
}
