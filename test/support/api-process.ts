import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The API as `npm start` runs it (`node dist/src/main.js`), in a process of its own: for checks
 * that need several instances, e.g. realtime events across processes through Redis.
 */

const ROOT = join(__dirname, '..', '..');
const STARTUP_MS = 30_000;
const STOP_MS = 10_000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whatever happens to the test file, no API process outlives the Jest worker. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Set by a global setup that has already built dist/ for the whole run. */
export const BUILT_FOR_RUN = 'SWIFTRIDE_TEST_DIST_BUILT';

/**
 * Compiles src/ and db/ into dist/ (`nest build`, with SWC: a few seconds, mostly the CLI starting),
 * in a child process, so the test file can boot its in-process app meanwhile. Once per run when the
 * global setup did it: `nest build` empties dist/ first, so a file building while another file's
 * API process starts from dist/ would pull the floor from under it.
 */
export async function buildApi(): Promise<void> {
  if (process.env[BUILT_FOR_RUN]) return;
  // The CLI's script run by this Node, not through npx, which takes a second or so to find it.
  const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [ROOT] });
  await promisify(execFile)(process.execPath, [nest, 'build'], { cwd: ROOT });
}

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

export interface ApiProcess {
  url: string;
  port: number;
  pid: number;
  /** Resolves with the exit code (or the signal that ended the process) once it has exited. */
  exited: Promise<number | string>;
  /** What the process wrote to stdout and stderr (the last 200 000 characters). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it: no shutdown; resolves once the process is gone. */
  kill(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What `main.ts` logs once it listens, with the port it was given (PORT=0: the system's choice). */
const LISTENING = /SwiftRide API on http:\/\/localhost:(\d+)\/api/;

/** The port an API process's log says it listens on, once it does. */
export function listeningPort(log: string): number | undefined {
  return Number(LISTENING.exec(log)?.[1]) || undefined;
}

/**
 * Spawns the built API with exactly this environment (plus PATH) on 127.0.0.1 and resolves once
 * GET /api/health answers 200. Unless `env` sets PORT, the process listens on a port the system
 * picks (PORT=0) and the port is read from its log: a port chosen here and bound later could be
 * taken meanwhile by any other socket on the machine. The process is stopped if it never gets
 * healthy; one that exits on its own with an error writes its log to stderr, for the failing test.
 */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  installExitHook();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    // LOG_LEVEL info (test's default is warn) for the line that says which port it listens on.
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env, HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let log = '';
  let port: number | undefined;
  const record = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-200_000);
    port ??= listeningPort(log);
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode ?? child.signalCode!);
    } else child.once('exit', (code, signal) => resolve(code ?? signal!));
  });
  void exited.then((status) => {
    running.delete(child);
    if (!ended && status !== 0) {
      process.stderr.write(
        `API process ${child.pid} exited (${status}) unasked; its log:\n${log}\n`,
      );
    }
  });

  const api: ApiProcess = {
    url: '',
    port: 0,
    pid: child.pid!,
    exited,
    output: () => log,
    async stop() {
      ended = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
        await exited;
        clearTimeout(timer);
      }
    },
    async kill() {
      ended = true;
      child.kill('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      ended = true;
      throw new Error(`the API process exited (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    if (port !== undefined) {
      api.port = port;
      api.url = `http://127.0.0.1:${port}`;
      const healthy = await fetch(`${api.url}/api/health`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (healthy) return api;
    }
    await sleep(50);
  }
  await api.stop();
  throw new Error(`the API process was not healthy within ${STARTUP_MS} ms:\n${log}`);
}
