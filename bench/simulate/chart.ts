import type { Report } from './report';

/**
 * A hand-written SVG of one run or several: on the left the share of matched requests accepted
 * within t seconds (a CDF), on the right the same for pickup distance. One line per run.
 */

const WIDTH = 960;
const HEIGHT = 400;
const PANEL = { width: 380, height: 280, top: 50, left: [70, 540] as const };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A tick step of 1, 2 or 5 × 10^n giving about five ticks up to `max`. */
function tickStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? rough;
}

function panel(
  left: number,
  title: string,
  unit: string,
  series: { label: string; values: number[] }[],
): string {
  const { top, width, height } = PANEL;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const step = tickStep(max);
  const xMax = Math.ceil(max / step) * step;
  const x = (value: number) => left + (value / xMax) * width;
  const y = (fraction: number) => top + height - fraction * height;
  const parts: string[] = [
    `<text x="${left + width / 2}" y="${top - 20}" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
  ];
  for (let tick = 0; tick <= xMax + 1e-9; tick += step) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top}" x2="${x(tick)}" y2="${top + height}" stroke="#eee"/>`,
      `<text x="${x(tick)}" y="${top + height + 16}" text-anchor="middle">${Number(tick.toPrecision(6))}</text>`,
    );
  }
  for (let fraction = 0; fraction <= 1.0001; fraction += 0.25) {
    parts.push(
      `<line x1="${left}" y1="${y(fraction)}" x2="${left + width}" y2="${y(fraction)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${y(fraction) + 4}" text-anchor="end">${Math.round(fraction * 100)}%</text>`,
    );
  }
  parts.push(
    `<text x="${left + width / 2}" y="${top + height + 36}" text-anchor="middle">${escape(unit)}</text>`,
  );
  series.forEach((s, i) => {
    const sorted = [...s.values].sort((a, b) => a - b);
    if (sorted.length === 0) return;
    // A step function: at each value the share rises by one sample.
    const points = [`${x(0)},${y(0)}`];
    sorted.forEach((value, k) => {
      points.push(
        `${x(value)},${y(k / sorted.length)}`,
        `${x(value)},${y((k + 1) / sorted.length)}`,
      );
    });
    points.push(`${x(xMax)},${y(1)}`);
    parts.push(
      `<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2" points="${points.join(' ')}"/>`,
    );
  });
  return parts.join('\n');
}

export function chart(reports: Report[]): string {
  const series = (pick: (report: Report) => number[]) =>
    reports.map((report) => ({ label: report.label, values: pick(report) }));
  const legend = reports
    .map((report, i) => {
      const y = HEIGHT - 14;
      const x = 70 + i * 220;
      return (
        `<rect x="${x}" y="${y - 10}" width="14" height="4" fill="${COLOURS[i % COLOURS.length]}"/>` +
        `<text x="${x + 20}" y="${y - 4}">${escape(report.label)} (${report.requestToAcceptMs.count} matched)</text>`
      );
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    panel(
      PANEL.left[0],
      'Request → accept (share of matched requests)',
      'seconds',
      series((r) => r.samples.requestToAcceptMs.map((ms) => ms / 1000)),
    ),
    panel(
      PANEL.left[1],
      'Pickup distance at accept (share of matched requests)',
      'km, as the crow flies',
      series((r) => r.samples.pickupKm),
    ),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
