import { Spin } from 'antd';
import { useEffect, useRef, useState } from 'react';

type ECharts = { setOption(o: unknown, notMerge?: boolean): void; resize(): void; dispose(): void };

export interface ChartSeries {
  name: string;
  data: number[];
  /** Which y axis: 0 (left) or 1 (right). */
  yAxisIndex?: 0 | 1;
}

/**
 * A bar chart drawn by ECharts (loaded on first use, in a lazy chunk). The canvas is an image with
 * a text alternative (`label`): the numbers are in the table the page shows beside it.
 */
export function BarChart({ label, categories, series, axisNames }: { label: string; categories: string[]; series: ChartSeries[]; axisNames: [string, string?] }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    let observer: ResizeObserver | undefined;
    void import('./echarts-setup').then(({ echarts }) => {
      if (!live || !ref.current) return;
      chart.current = echarts.init(ref.current, undefined, { renderer: 'canvas' }) as unknown as ECharts;
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(ref.current);
      setReady(true);
    });
    return () => {
      live = false;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    if (!ready || !chart.current) return;
    const two = series.some((s) => s.yAxisIndex === 1);
    chart.current.setOption(
      {
        animation: false,
        color: ['#b71c1c', '#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a'],
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 4 ? 30 : 0 } },
        yAxis: [{ type: 'value', name: axisNames[0] }, ...(two ? [{ type: 'value', name: axisNames[1] ?? '' }] : [])],
        series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, yAxisIndex: s.yAxisIndex ?? 0 })),
      },
      true,
    );
  }, [ready, categories, series, axisNames]);
  return (
    <div role="img" aria-label={label} style={{ position: 'relative', width: '100%', minWidth: 0 }}>
      <div ref={ref} data-testid="chart" style={{ width: '100%', height: 300 }} />
      {!ready && <Spin style={{ position: 'absolute', top: '45%', left: '45%' }} />}
    </div>
  );
}
