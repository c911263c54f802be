import { type ChildProcess, spawn } from 'node:child_process';
import { waitUntil } from './load';

/**
 * A redis-server of a test's own on the given port, nothing saved to disk: the test may kill and
 * restart it without touching the machine's shared Redis.
 */
export interface RedisProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(port: number): Promise<RedisProcess> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(
    `redis-server ready on ${port}`,
    () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      return /Ready to accept connections/.test(output);
    },
    10_000,
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
    },
  };
}
