import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './api-process';

/**
 * A real nginx in front of API processes, running the shipped `deploy/nginx.conf` with this test's
 * ports: a foreground child of the test with its prefix, temp folders, logs and pid under a folder
 * of its own.
 */

const ROOT = join(__dirname, '..', '..');
const SHIPPED_CONF = join(ROOT, 'deploy', 'nginx.conf');
const STARTUP_MS = 10_000;
const STOP_MS = 5_000;

/** What the shipped configuration listens on and proxies to, replaced by the test's own ports. */
const SHIPPED_LISTEN = 'listen 8080;';
const SHIPPED_UPSTREAMS = ['127.0.0.1:8081', '127.0.0.1:8082', '127.0.0.1:8083'];

/** Which binary `npm run test:cluster` found (NGINX_BIN), Debian's otherwise. */
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** One access-log line: which process answered (all tried, in order) and with what. */
export interface AccessLogEntry {
  method: string;
  uri: string;
  status: number;
  /** Addresses tried, in order, e.g. ['127.0.0.1:40001', '127.0.0.1:40002']. */
  upstreams: string[];
  /** The request's `X-Probe` header, which tests set to find their own requests. */
  probe: string;
}

export interface Nginx {
  url: string;
  port: number;
  /** Every request nginx has logged so far (a request is logged once it is finished). */
  accessLog(): AccessLogEntry[];
  errorLog(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function replaceAll(text: string, shipped: string, ours: string): string {
  if (!text.includes(shipped)) {
    throw new Error(
      `deploy/nginx.conf no longer contains "${shipped}": update test/support/nginx.ts`,
    );
  }
  return text.split(shipped).join(ours);
}

/** deploy/nginx.conf with this test's listen address and upstream ports written in. */
function siteConf(port: number, upstreamPorts: number[]): string {
  let conf = replaceAll(
    readFileSync(SHIPPED_CONF, 'utf8'),
    SHIPPED_LISTEN,
    `listen 127.0.0.1:${port};`,
  );
  SHIPPED_UPSTREAMS.forEach((shipped, index) => {
    conf = replaceAll(conf, shipped, `127.0.0.1:${upstreamPorts[index]}`);
  });
  return conf;
}

/** The main configuration: everything nginx writes goes under `folder`, then the site itself. */
function mainConf(folder: string): string {
  return `worker_processes 1;
pid ${folder}/nginx.pid;
events { worker_connections 1024; }
http {
  client_body_temp_path ${folder}/client_body;
  proxy_temp_path ${folder}/proxy;
  fastcgi_temp_path ${folder}/fastcgi;
  uwsgi_temp_path ${folder}/uwsgi;
  scgi_temp_path ${folder}/scgi;
  log_format probe '$request_method $uri $status "$upstream_addr" "$http_x_probe"';
  access_log ${folder}/access.log probe;
  include ${folder}/swiftride.conf;
}
`;
}

function parseAccessLog(text: string): AccessLogEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, method, uri, status, upstreams, probe] =
        /^(\S+) (\S+) (\d+) "([^"]*)" "([^"]*)"$/.exec(line)!;
      return {
        method,
        uri,
        status: Number(status),
        upstreams: upstreams === '-' ? [] : upstreams.split(/, | : /),
        probe: probe === '-' ? '' : probe,
      };
    });
}

/** Throws a clear error when this machine has no nginx (`npm run test:cluster` checks first). */
export function requireNginx(): void {
  try {
    accessSync(NGINX_BIN, constants.X_OK);
  } catch {
    throw new Error(`${NGINX_BIN} is missing: run this test through \`npm run test:cluster\``);
  }
}

/** Starts nginx on a free loopback port in front of these three API ports; resolves once it proxies. */
export async function startNginx(upstreamPorts: number[]): Promise<Nginx> {
  requireNginx();
  installExitHook();
  const folder = mkdtempSync(join(tmpdir(), 'swiftride-nginx-'));
  const port = await freePort();
  writeFileSync(join(folder, 'swiftride.conf'), siteConf(port, upstreamPorts));
  writeFileSync(join(folder, 'nginx.conf'), mainConf(folder));
  writeFileSync(join(folder, 'access.log'), '');
  const errorLogPath = join(folder, 'error.log');
  const child = spawn(
    NGINX_BIN,
    ['-p', `${folder}/`, '-c', join(folder, 'nginx.conf'), '-e', errorLogPath, '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const read = (file: string) => {
    try {
      return readFileSync(join(folder, file), 'utf8');
    } catch {
      return '';
    }
  };

  const url = `http://127.0.0.1:${port}`;
  const nginx: Nginx = {
    url,
    port,
    accessLog: () => parseAccessLog(read('access.log')),
    errorLog: () => `${stderr}${read('error.log')}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
        await exited;
        clearTimeout(timer);
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const log = nginx.errorLog();
      await nginx.stop();
      throw new Error(`nginx exited (${child.exitCode}):\n${log}`);
    }
    const proxied = await fetch(`${url}/api/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (proxied) return nginx;
    await sleep(50);
  }
  const log = nginx.errorLog();
  await nginx.stop();
  throw new Error(`nginx did not proxy /api/health within ${STARTUP_MS} ms:\n${log}`);
}
