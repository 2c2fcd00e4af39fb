// Chart.js wrapper: tree-shaken registration, colours from the theme's CSS variables,
// redrawn when the theme changes. Every chart also gets a text legend with the numbers.
import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip, type ActiveElement, type ChartConfiguration, type ChartEvent } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { cssRef } from './format';
import { useTheme } from './theme';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Tooltip, Legend);

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Palette for categories, from the theme. */
export function palette(n: number): string[] {
  const base = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6', '--c7', '--c8'].map(cssVar);
  return Array.from({ length: n }, (_, i) => base[i % base.length]);
}

export interface Series {
  labels: string[];
  values: number[];
  colors?: string[];
}

export function ChartView(props: { kind: 'bar' | 'doughnut' | 'hbar'; data: Series; label: string; onPick?: (index: number) => void; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const theme = useTheme();
  useEffect(() => {
    if (!canvas.current) return;
    const text = cssVar('--text-muted');
    const grid = cssVar('--border');
    const colors = props.data.colors ?? palette(props.data.values.length);
    const horizontal = props.kind === 'hbar';
    const cfg: ChartConfiguration = {
      type: props.kind === 'doughnut' ? 'doughnut' : 'bar',
      data: {
        labels: props.data.labels,
        datasets: [
          {
            label: props.label,
            data: props.data.values,
            backgroundColor: colors,
            borderColor: props.kind === 'doughnut' ? cssVar('--surface') : colors,
            borderWidth: props.kind === 'doughnut' ? 2 : 0,
            borderRadius: props.kind === 'doughnut' ? 0 : 6,
            maxBarThickness: 48,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 250 },
        indexAxis: horizontal ? 'y' : 'x',
        onClick: (_e: ChartEvent, els: ActiveElement[]) => {
          if (props.onPick && els.length) props.onPick(els[0].index);
        },
        onHover: (e: ChartEvent, els: ActiveElement[]) => {
          const t = e.native?.target as HTMLElement | undefined;
          if (t && props.onPick) t.style.cursor = els.length ? 'pointer' : 'default';
        },
        plugins: {
          legend: { display: false },
          tooltip: { backgroundColor: cssVar('--tooltip-bg'), titleColor: cssVar('--tooltip-text'), bodyColor: cssVar('--tooltip-text') },
        },
        ...(props.kind === 'doughnut'
          ? { cutout: '62%' }
          : {
              scales: {
                x: { ticks: { color: text, precision: 0 }, grid: { color: horizontal ? grid : 'transparent' }, border: { color: grid }, beginAtZero: true },
                y: { ticks: { color: text, precision: 0 }, grid: { color: horizontal ? 'transparent' : grid }, border: { color: grid }, beginAtZero: true },
              },
            }),
      } as any,
    };
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, cfg);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [JSON.stringify(props.data), props.kind, theme]);

  const total = props.data.values.reduce((a, b) => a + b, 0);
  const colors = props.data.colors ?? palette(props.data.values.length);
  return (
    <figure class={`chart chart-${props.kind}`}>
      <div class="chart-canvas" ref={cssRef('height', `${props.height ?? 220}px`)}>
        <canvas ref={canvas} role="img" aria-label={`${props.label}: ${props.data.labels.map((l, i) => `${l} ${props.data.values[i]}`).join(', ')}`} />
      </div>
      <figcaption>
        <ul class="legend">
          {props.data.labels.map((l, i) => (
            <li key={l}>
              {props.onPick ? (
                <button type="button" class="legend-btn" onClick={() => props.onPick!(i)}>
                  <LegendSwatch color={colors[i]} />
                  <span class="legend-label">{l}</span>
                  <span class="legend-val">{props.data.values[i]}</span>
                </button>
              ) : (
                <span class="legend-btn">
                  <LegendSwatch color={colors[i]} />
                  <span class="legend-label">{l}</span>
                  <span class="legend-val">
                    {props.data.values[i]}
                    {props.kind === 'doughnut' && total > 0 && <span class="muted"> · {Math.round((props.data.values[i] * 100) / total)}%</span>}
                  </span>
                </span>
              )}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

function LegendSwatch(props: { color: string }) {
  return <span class="swatch" aria-hidden="true" ref={cssRef('background', props.color)} />;
}
