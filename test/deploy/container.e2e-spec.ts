/**
 * The container contract, without a Docker engine: the image's final CMD, exactly as the Dockerfile
 * writes it, run from a copy of what the runtime stage copies, with the image's ENV overlaid by the
 * compose `api` service's environment (interpolated as `docker compose` does), must reach healthy
 * by the compose healthcheck, on a real and empty PostgreSQL.
 *
 * @seconds 13
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listeningPort } from '../support/api-process';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import {
  argvOf,
  environmentOf,
  imageEnvironment,
  type Instruction,
  readApiImage,
  readCompose,
  ROOT,
} from './container-files';

const HEALTHY_WITHIN_MS = 60_000;
const EXIT_WITHIN_MS = 60_000;
const CONTAINER_PORT = '8080';
const REDIS_ON_HOST = '127.0.0.1:6379';

jest.setTimeout(180_000);

/** What `docker compose` would be given: a strong secret from the environment or .env. */
const COMPOSE_ENV = { JWT_SECRET: randomBytes(48).toString('base64') };

const compose = readCompose(COMPOSE_ENV);
const { finalStage } = readApiImage(compose);
const lastOf = (keyword: string): Instruction => {
  const found = finalStage.filter((i) => i.keyword === keyword).at(-1);
  if (!found) throw new Error(`the Dockerfile's final stage has no ${keyword}`);
  return found;
};
const workdir = lastOf('WORKDIR').args.trim();

let image: string;
let databases: TestDatabase[] = [];
const folders: string[] = [];

/** What the build stage compiles from (`COPY . .`, less .dockerignore and what the build ignores). */
const BUILD_INPUTS = [
  'package.json',
  'nest-cli.json',
  'tsconfig.json',
  'tsconfig.build.json',
  '.swcrc',
  'src',
  'db',
];

/**
 * The build stage's `npm run build`, in a folder of its own (nest build empties its dist/, which
 * other test files use), then the runtime stage's `COPY --from=build <workdir>/x ./x` lines.
 */
function assembleImage(): string {
  const build = mkdtempSync(join(tmpdir(), 'swiftride-build-'));
  for (const input of BUILD_INPUTS)
    cpSync(join(ROOT, input), join(build, input), { recursive: true });
  // This checkout's node_modules; unlike the image's, it still holds the dev dependencies.
  symlinkSync(join(ROOT, 'node_modules'), join(build, 'node_modules'), 'dir');
  execFileSync('npm', ['run', 'build'], { cwd: build, stdio: 'pipe' });

  const folder = mkdtempSync(join(tmpdir(), 'swiftride-image-'));
  for (const copy of finalStage.filter((i) => i.keyword === 'COPY')) {
    const match = /^--from=\w+\s+(\S+)\s+(\S+)$/.exec(copy.args.trim());
    if (!match) throw new Error(`unexpected COPY in the runtime stage: ${copy.args}`);
    const source = join(build, match[1].replace(new RegExp(`^${workdir}/?`), ''));
    cpSync(source, join(folder, match[2]), { recursive: true, verbatimSymlinks: true });
  }
  folders.push(build, folder);
  return folder;
}

/** Compose hostnames resolve to the test's own servers; everything else is as the files say. */
function containerEnvironment(
  apiEnv: Record<string, string>,
  database: TestDatabase,
): Record<string, string> {
  const env: Record<string, string> = {
    ...imageEnvironment(finalStage),
    ...apiEnv,
    // `node` in the CMD is the one running these tests (the image's is the same major in CI).
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    // A container has a network of its own; here the system picks a free port, which the API
    // names in its startup line.
    PORT: '0',
  };
  if (env.DATABASE_URL && new URL(env.DATABASE_URL).hostname === 'db') {
    env.DATABASE_URL = database.url;
  }
  if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    if (url.hostname === 'redis') env.REDIS_URL = `redis://${REDIS_ON_HOST}${url.pathname}`;
  }
  return env;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runCmd(env: Record<string, string>): Started {
  const [command, ...args] = argvOf(lastOf('CMD').args);
  const child = spawn(command, args, {
    cwd: image,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const record = (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-20_000));
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => log, exited };
}

/**
 * Once the API names its port, runs the compose healthcheck (exec form) against that port until
 * it exits 0; resolves with the port.
 */
async function waitHealthy(started: Started): Promise<number> {
  const test = compose.services.api.healthcheck?.test;
  if (!Array.isArray(test) || test[0] !== 'CMD') throw new Error('the api healthcheck is not CMD');
  const begun = Date.now();
  let exitCode: number | null = null;
  void started.exited.then((code) => (exitCode = code ?? -1));
  let port: number | undefined;
  while (Date.now() - begun < HEALTHY_WITHIN_MS) {
    if (exitCode !== null) {
      throw new Error(`the CMD exited (${exitCode}) before healthy:\n${started.output()}`);
    }
    port ??= listeningPort(started.output());
    if (port === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const [command, ...args] = test
      .slice(1)
      .map((part) => part.replaceAll(`127.0.0.1:${CONTAINER_PORT}`, `127.0.0.1:${port}`));
    const passed = await new Promise<boolean>((resolve) => {
      const probe = spawn(command === 'node' ? process.execPath : command, args, {
        stdio: 'ignore',
      });
      probe.once('exit', (code) => resolve(code === 0));
      probe.once('error', () => resolve(false));
    });
    if (passed) return port;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not healthy within ${HEALTHY_WITHIN_MS} ms:\n${started.output()}`);
}

async function exitWithin(started: Started, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([started.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    started.child.kill('SIGKILL');
    throw new Error(`the CMD did not exit within ${ms} ms:\n${started.output()}`);
  }
  return result;
}

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createEmptyDatabase();
  databases.push(database);
  return database;
}

beforeAll(() => {
  image = assembleImage();
});
afterAll(async () => {
  for (const database of databases) await database.drop();
  databases = [];
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the image CMD with the compose api environment', () => {
  it('migrates an empty database, seeds it, becomes healthy and stops on SIGTERM', async () => {
    const database = await freshDatabase();
    const env = containerEnvironment(environmentOf(compose.services.api), database);
    expect(env.NODE_ENV).toBe('production');
    const started = runCmd(env);
    try {
      const port = await waitHealthy(started);
      const ready = await fetch(`http://127.0.0.1:${port}/api/health/ready`);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        checks: { database: 'up', migrations: 'up-to-date', redis: 'up' },
      });
      const types = await fetch(`http://127.0.0.1:${port}/api/service-types`);
      expect(types.status).toBe(200);
      expect(((await types.json()) as unknown[]).length).toBeGreaterThanOrEqual(3);
    } finally {
      started.child.kill('SIGTERM');
    }
    // `exec` hands SIGTERM to node, which closes in order and exits 0.
    expect(await exitWithin(started, EXIT_WITHIN_MS)).toBe(0);
  });

  it('exits non-zero, naming JWT_SECRET, when compose does not pass it', async () => {
    const database = await freshDatabase();
    const { JWT_SECRET, ...withoutSecret } = environmentOf(compose.services.api);
    expect(JWT_SECRET).toBe(COMPOSE_ENV.JWT_SECRET);
    const started = runCmd(containerEnvironment(withoutSecret, database));
    const code = await exitWithin(started, EXIT_WITHIN_MS);
    expect(code).not.toBe(0);
    expect(started.output()).toContain('JWT_SECRET must be set in production');
  });
});
