import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** One line of the results: a scenario's measure, against its reference and target. */
export interface Row {
  scenario: string;
  /** What this line measures within the scenario (a scenario may have several). */
  measure: string;
  requestsPerSecond?: number;
  p50?: number;
  p99?: number;
  requests?: number;
  errors?: number;
  reference?: { name: string; requestsPerSecond?: number; p50?: number; p99?: number };
  ratio?: number;
  target?: string;
  met?: boolean;
  /** The API's resident set after the scenario. */
  rssMb?: number;
}

export interface Results {
  date: string;
  node: string;
  cpus: number;
  commit: string;
  smoke: boolean;
  secondsPerScenario: number;
  connections: number;
  rows: Row[];
}

export function environment(): Pick<Results, 'date' | 'node' | 'cpus' | 'commit'> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout: the results say so
  }
  return { date: new Date().toISOString(), node: process.version, cpus: cpus().length, commit };
}

const fixed = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);

function referenceCell(row: Row): string {
  if (!row.reference) return '';
  const { name, requestsPerSecond, p99 } = row.reference;
  if (requestsPerSecond !== undefined) return `${name} ${fixed(requestsPerSecond)}/s`;
  return p99 !== undefined ? `${name} p99 ${fixed(p99, 1)} ms` : name;
}

/** A Markdown table: it reads in a terminal and pastes into the README as is. */
export function table(rows: Row[]): string {
  const header = [
    'scenario',
    'measure',
    'req/s',
    'p50 ms',
    'p99 ms',
    'reference',
    'ratio',
    'target',
    'met?',
    'RSS MB',
  ];
  const lines = rows.map((row) => [
    row.scenario,
    row.measure + (row.errors ? ` (${row.errors} errors)` : ''),
    fixed(row.requestsPerSecond),
    fixed(row.p50, 1),
    fixed(row.p99, 1),
    referenceCell(row),
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : '**no**',
    fixed(row.rssMb),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    format(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(format),
  ].join('\n');
}

export function save(results: Results): string {
  const folder = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(
    folder,
    `${results.date.replace(/[:.]/g, '-')}${results.smoke ? '-smoke' : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

const change = (before: number | undefined, after: number | undefined) =>
  before && after !== undefined ? (after - before) / before : undefined;

const percent = (value: number | undefined) =>
  value === undefined ? '' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%`;

/**
 * What got faster or slower from A to B: throughput where a line has one, else p99. Within 5% is
 * noise on these machines.
 */
export function compare(fileA: string, fileB: string): string {
  const [a, b] = [fileA, fileB].map((file) => JSON.parse(readFileSync(file, 'utf8')) as Results);
  const key = (row: Row) => `${row.scenario} / ${row.measure}`;
  const before = new Map(a.rows.map((row) => [key(row), row]));
  const lines = b.rows.map((row) => {
    const old = before.get(key(row));
    const rps = change(old?.requestsPerSecond, row.requestsPerSecond);
    const p99 = change(old?.p99, row.p99);
    const score = rps ?? (p99 === undefined ? undefined : -p99);
    const verdict =
      score === undefined ? 'new' : score > 0.05 ? 'faster' : score < -0.05 ? 'slower' : 'same';
    return (
      `${key(row).padEnd(58)} ${verdict.padEnd(7)} req/s ${fixed(old?.requestsPerSecond)} → ` +
      `${fixed(row.requestsPerSecond)} (${percent(rps)})  p99 ${fixed(old?.p99, 1)} → ` +
      `${fixed(row.p99, 1)} (${percent(p99)})  ratio ${fixed(old?.ratio, 2)} → ${fixed(row.ratio, 2)}`
    );
  });
  return `A: ${fileA} (${a.date}, ${a.commit})\nB: ${fileB} (${b.date}, ${b.commit})\n${lines.join('\n')}`;
}
