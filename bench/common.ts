import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { startEmbeddedPostgres, type RunningDatabase } from '../src/database/embedded-postgres';

/** What every part of the bench shares: its settings, tokens, and small helpers. */
export const SMOKE = process.env.BENCH_SMOKE === '1' || process.argv.includes('--smoke');
export const SECONDS = Number(process.env.BENCH_SECONDS ?? (SMOKE ? 1 : 8));
export const WARM_UP_SECONDS = SMOKE ? 0.25 : Math.min(3, SECONDS);
export const CONNECTIONS = 50;
/** Drivers and open rides over the metro area for the geography scenarios. */
export const GEO_COUNT = Number(process.env.BENCH_GEO_COUNT ?? (SMOKE ? 1_000 : 100_000));
/** The "many online drivers" of available-service-types-10000. */
export const MANY_DRIVERS = SMOKE ? 1_000 : 10_000;
export const EXPLAIN_POINTS = SMOKE ? 50 : 1_000;
export const MEMORY_SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? (SMOKE ? 3 : 300));
export const CENTRE = { latitude: 37.7749, longitude: -122.4194 };
/** ±0.3° around the centre: about 66 km by 53 km, a metro area. */
export const SPREAD_DEGREES = 0.3;
export const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };
/** The API's pool size; the bare references get the same. */
export const POOL_MAX = 10;

/** The repository, from dist/bench where the bench runs. */
const ROOT = join(__dirname, '..', '..');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A built script (e.g. the API's dist/src/main.js) in a process of its own, once `health` answers.
 * Its stdout (the production request log) is discarded, its stderr kept in `<logFolder>/<logName>.log`
 * (the script's name by default).
 */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  health: string,
  logFolder: string,
  logName = basename(script, '.js'),
): Promise<Server> {
  const port = await freePort();
  const errors = openSync(join(logFolder, `${logName}.log`), 'a');
  const child: ChildProcess = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', errors],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300 && child.exitCode === null; attempt += 1) {
    if (
      await fetch(`${base}${health}`).then(
        (r) => r.status < 500,
        () => false,
      )
    ) {
      return { base, pid: child.pid!, stop: () => (child.kill('SIGTERM'), exited) };
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not answer within 30 s`);
}

/** Whether a Redis answers PING at `url` within a second (never waits for one to come up). */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function withSql<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** BENCH_DATABASE_URL's server (where the bench may create a database), or a throwaway embedded one. */
export async function provideServer(): Promise<{ adminUrl: string; embedded?: RunningDatabase }> {
  if (process.env.BENCH_DATABASE_URL) return { adminUrl: process.env.BENCH_DATABASE_URL };
  const folder = mkdtempSync(join(tmpdir(), 'swiftride-bench-'));
  chmodSync(folder, 0o755);
  const embedded = await startEmbeddedPostgres(
    { embeddedDataDir: join(folder, 'data'), embeddedPort: await freePort(), persistent: false },
    { log: () => undefined },
  );
  return { adminUrl: embedded.url, embedded };
}

/**
 * How long the bench's tokens live. The API refuses tokens that live longer than its own
 * (JWT_ACCESS_TTL_SECONDS), so the benched API is started with this lifetime too.
 */
export const TOKEN_SECONDS = 86_400;

/** An HS256 access token as the API signs them, valid for TOKEN_SECONDS. */
export function signToken(secret: string, userId: number, roleId: number): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const payload = { sub: String(userId), userId, roleId, iat, exp: iat + TOKEN_SECONDS };
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CI logs keep every byte written, so a bar redrawn with \r would fill them: plain lines there. */
const redraw = () => process.stderr.isTTY === true && process.env.CI !== 'true';

/**
 * One updating line on stderr (with an optional note after the count); a plain line per quarter
 * when stderr is not a terminal or CI=true.
 */
export class Progress {
  private lastPrinted = -1;
  private lastWidth = 0;
  private readonly started = Date.now();

  constructor(private readonly label: string) {}

  update(done: number, total: number, note = ''): void {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${note ? `  ${note}` : ''}`;
    if (redraw()) {
      process.stderr.write(`\r${line.padEnd(this.lastWidth)}`);
      this.lastWidth = line.length;
    } else if (Math.floor(fraction * 4) !== this.lastPrinted) {
      this.lastPrinted = Math.floor(fraction * 4);
      process.stderr.write(`${line}\n`);
    }
  }

  done(): void {
    process.stderr.write(
      `${redraw() ? '\n' : ''}${this.label}: ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`,
    );
  }
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
