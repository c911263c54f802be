import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateUp, runSeeders } from '../../db/migrator';
import { log, provideServer, type Server, startProcess, withSql } from '../common';
import { environment } from '../report';
import { chart } from './chart';
import { simulate } from './city';
import { parseArea, SAN_FRANCISCO } from './geo';
import { buildReport, describe, type Report, table } from './report';
import type { SimulationOptions } from './trace';

/**
 * `npm run simulate`: the city simulator (city.ts) against an API. With --api-url it uses that API
 * as it is; without, it starts the built API (dist/src/main.js) on a fresh database, passing
 * DISPATCH_*, RIDE_* and DRIVER_* from its own environment through. Prints a table, saves JSON and
 * an SVG chart in bench/results/simulate/, exits 1 when an invariant did not hold.
 * `npm run simulate -- --compare A.json B.json …` prints several runs side by side.
 */

const RESULTS = join(__dirname, '..', '..', '..', 'bench', 'results', 'simulate');

/** Each flag, its environment variable (SIM_ + the flag in capitals) and its default. */
const NUMBERS = {
  drivers: 100,
  rate: 2,
  seconds: 60,
  'max-requests': 100_000,
  seed: 1,
  'accept-probability': 0.9,
  'reaction-ms': 2_000,
  'speed-kmh': 30,
  'time-scale': 20,
  'location-seconds': 5,
  'drain-seconds': 30,
  'setup-concurrency': 16,
  riders: 0,
} as const;
type NumberFlag = keyof typeof NUMBERS;
const TEXTS = ['api-url', 'area', 'label'] as const;
type TextFlag = (typeof TEXTS)[number];

const envName = (flag: string) => `SIM_${flag.replace(/-/g, '_').toUpperCase()}`;

function flagsFrom(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (![...Object.keys(NUMBERS), ...TEXTS].includes(name)) {
      throw new Error(
        `unknown flag --${name}; known: ${[...Object.keys(NUMBERS), ...TEXTS].join(', ')}`,
      );
    }
    flags.set(name, inline ?? argv[(i += 1)] ?? '');
  }
  return flags;
}

function readOptions(argv: string[]): { options: SimulationOptions; label?: string } {
  const flags = flagsFrom(argv);
  const text = (flag: TextFlag) => flags.get(flag) ?? process.env[envName(flag)];
  const number = (flag: NumberFlag) => {
    const raw = flags.get(flag) ?? process.env[envName(flag)];
    const value = raw === undefined ? NUMBERS[flag] : Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${flag} must be a number ≥ 0`);
    return value;
  };
  const rate = number('rate');
  const seconds = number('seconds');
  const maxRequests = number('max-requests');
  const acceptProbability = number('accept-probability');
  if (rate <= 0 || seconds <= 0) throw new Error('--rate and --seconds must be above 0');
  if (acceptProbability > 1) throw new Error('--accept-probability must be within 0..1');
  // Enough riders that one is always free: the expected arrivals and four standard deviations.
  const expected = rate * seconds;
  const riders =
    number('riders') || Math.min(maxRequests, Math.ceil(expected + 4 * Math.sqrt(expected)) + 5);
  return {
    label: text('label'),
    options: {
      apiUrl: text('api-url') ?? '',
      drivers: number('drivers'),
      riders,
      rate,
      seconds,
      maxRequests,
      seed: number('seed'),
      acceptProbability,
      reactionMs: number('reaction-ms'),
      speedKmh: number('speed-kmh'),
      timeScale: number('time-scale') || 1,
      locationSeconds: Math.max(1, number('location-seconds')),
      drainSeconds: number('drain-seconds'),
      area: text('area') ? parseArea(text('area')!) : SAN_FRANCISCO,
      setupConcurrency: Math.max(1, number('setup-concurrency')),
      progress: true,
    },
  };
}

/** What the API started here is told, beyond the simulator's needs: the dispatch settings. */
function passedThrough(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        /^(DISPATCH|RIDE|DRIVER)_/.test(entry[0]) && entry[1] !== undefined,
    ),
  );
}

/** "broadcast", "ranked, window off"…: the mode asked for, or else the one the offers showed. */
function labelOf(settings: Record<string, string>, seen: Report['mode']): string {
  const mode = settings.DISPATCH_MODE ?? seen;
  return settings.DISPATCH_WINDOW_MS === '0' ? `${mode}, window off` : mode;
}

interface StartedApi {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * The API process's CPU time, read every second: the mean over the measured run and its busiest
 * second, in cores (1 = one core busy the whole time). Linux only; nothing elsewhere.
 */
function watchCpu(pid: number): { stop(from: number, to: number): Report['apiCpu'] } {
  const samples: { at: number; cpuSeconds: number }[] = [];
  const sample = () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime and stime are the 14th and 15th fields; the split starts at the 3rd.
      const ticks = Number(fields[11]) + Number(fields[12]);
      samples.push({ at: Date.now(), cpuSeconds: ticks / TICKS_PER_SECOND });
    } catch {
      // Not Linux, or the process is gone.
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop(from, to) {
      clearInterval(timer);
      const inRun = samples.filter((s) => s.at >= from && s.at <= to);
      if (inRun.length < 2) return undefined;
      const first = inRun[0];
      const last = inRun[inRun.length - 1];
      let peakCores = 0;
      for (let i = 1; i < inRun.length; i += 1) {
        const seconds = (inRun[i].at - inRun[i - 1].at) / 1000;
        peakCores = Math.max(peakCores, (inRun[i].cpuSeconds - inRun[i - 1].cpuSeconds) / seconds);
      }
      const meanCores = (last.cpuSeconds - first.cpuSeconds) / ((last.at - first.at) / 1000);
      return { meanCores, peakCores };
    },
  };
}

/**
 * The built API on a database of its own, as the bench starts it, with test-cost password hashing
 * (NODE_ENV=test) so that signing up a thousand drivers over HTTP takes seconds, and rate limits
 * on sign-up and login out of the way.
 */
async function startApi(settings: Record<string, string>): Promise<StartedApi> {
  const { adminUrl, embedded } = await provideServer();
  const name = `swiftride_sim_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = url.toString();
  await withSql(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const logs = mkdtempSync(join(tmpdir(), 'swiftride-simulate-'));
  let api: Server | undefined;
  const stop = async () => {
    await api?.stop();
    await withSql(adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
    await embedded?.stop();
  };
  try {
    await migrateUp(database);
    await runSeeders(database, {});
    api = await startProcess(
      'dist/src/main.js',
      {
        NODE_ENV: 'test',
        DATABASE_URL: database,
        JWT_SECRET: randomBytes(48).toString('base64url'),
        JWT_ACCESS_TTL_SECONDS: '86400',
        LOGIN_ATTEMPTS_PER_MINUTE: '1000000',
        REGISTRATIONS_PER_MINUTE: '1000000',
        ...settings,
      },
      '/api/health',
      logs,
    );
    log(`API ${api.base} (pid ${api.pid}, log in ${logs}) with ${JSON.stringify(settings)}`);
    return { url: api.base, pid: api.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function save(report: Report & Record<string, unknown>): string {
  mkdirSync(RESULTS, { recursive: true });
  const slug = report.label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
  const stem = join(RESULTS, `${report.date.replace(/[:.]/g, '-')}-${slug}`);
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${stem}.svg`, chart([report]));
  return stem;
}

function compare(files: string[]): void {
  if (files.length === 0) throw new Error('usage: npm run simulate -- --compare A.json B.json …');
  const reports = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Report);
  process.stdout.write(`${reports.map(describe).join('\n')}\n\n${table(reports)}\n`);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.svg`);
  writeFileSync(file, chart(reports));
  process.stdout.write(`\nchart: ${file}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--compare') return compare(argv.slice(1));
  const { options, label } = readOptions(argv);
  const settings = passedThrough();
  const started = options.apiUrl ? undefined : await startApi(settings);
  let report: Report;
  const cpu = started ? watchCpu(started.pid) : undefined;
  try {
    const trace = await simulate({ ...options, apiUrl: options.apiUrl || started!.url });
    const env = environment();
    report = buildReport(trace, '', env.commit);
    report.apiCpu = cpu?.stop(trace.startedAt, trace.endedAt);
    report.label = label ?? labelOf(started ? settings : {}, report.mode);
    const stem = save({ ...report, node: env.node, cpus: env.cpus });
    process.stdout.write(
      `${describe(report)}\n\n${table([report])}\n\nsaved: ${stem}.json, ${stem}.svg\n`,
    );
  } finally {
    cpu?.stop(0, 0);
    await started?.stop();
  }
  if (!report.invariants.held) {
    const { undefinedEnds, doubleOffers, simulatorErrors } = report.invariants;
    log(
      `invariants broken: ${undefinedEnds.length} request(s) not ended defined, ` +
        `${doubleOffers.length} double offer(s), ${simulatorErrors.length} simulator error(s)` +
        `${simulatorErrors.length > 0 ? `: ${simulatorErrors.slice(0, 5).join('; ')}` : ''}`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
