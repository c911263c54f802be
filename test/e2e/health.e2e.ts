import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { shippedMigrationNames } from '../../db/migration-files';
import { createTestApp, type TestApp } from '../support/app';
import { withMigrator } from '../support/migrations';

const LATEST = shippedMigrationNames().at(-1)!;

const READY = {
  status: 'ok',
  failed: [],
  checks: { database: 'up', migrations: 'up-to-date', redis: 'not-configured' },
  pendingMigrations: [],
};

describe('health on a migrated database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /api/health reports the API and its database as up', async () => {
    const response = await t.http.get('/api/health').expect(200);
    expect(response.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('GET /api/health/live answers without credentials', async () => {
    const response = await t.http.get('/api/health/live').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /api/health/ready is ready, with Redis not configured', async () => {
    const response = await t.http.get('/api/health/ready').expect(200);
    expect(response.body).toEqual(READY);
  });

  it('documents both routes with their response shapes', async () => {
    const docs = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, { get: { responses: Record<string, { content: unknown }> } }>;
    };
    const schemaOf = (path: string, status: string) =>
      JSON.stringify(docs.paths[path].get.responses[status].content);
    expect(schemaOf('/api/health/live', '200')).toContain('LivenessDto');
    expect(schemaOf('/api/health/ready', '200')).toContain('ReadinessDto');
    expect(schemaOf('/api/health/ready', '503')).toContain('ReadinessDto');
  });
});

describe('readiness while the latest migration is not applied', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await withMigrator(t.database.url, (migrator) => migrator.down());
  });
  afterAll(() => t.close());

  it('answers 503 naming the pending migration, while live and /api/health still answer 200', async () => {
    const ready = await t.http.get('/api/health/ready').expect(503);
    expect(ready.body).toEqual({
      status: 'error',
      failed: ['migrations'],
      checks: { database: 'up', migrations: 'pending', redis: 'not-configured' },
      pendingMigrations: [LATEST],
    });
    await t.http.get('/api/health/live').expect(200);
    expect((await t.http.get('/api/health').expect(200)).body).toEqual({
      status: 'ok',
      database: 'up',
    });
  });

  it('is ready again once the migration is applied', async () => {
    await withMigrator(t.database.url, (migrator) => migrator.up());
    const ready = await t.http.get('/api/health/ready').expect(200);
    expect(ready.body).toEqual(READY);
  });
});

describe('readiness when the database is gone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.database.drop();
  });
  afterAll(() => t.close());

  it('answers 503 naming the database; the migrations cannot be known; live still answers', async () => {
    const ready = await t.http.get('/api/health/ready').expect(503);
    expect(ready.body).toEqual({
      status: 'error',
      failed: ['database', 'migrations'],
      checks: { database: 'down', migrations: 'unknown', redis: 'not-configured' },
      pendingMigrations: [],
    });
    await t.http.get('/api/health').expect(503);
    await t.http.get('/api/health/live').expect(200);
  });
});

describe('readiness with REDIS_URL', () => {
  it('checks a reachable Redis', async () => {
    const t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:6379' });
    try {
      const ready = await t.http.get('/api/health/ready').expect(200);
      expect(ready.body).toEqual({ ...READY, checks: { ...READY.checks, redis: 'up' } });
    } finally {
      await t.close();
    }
  });

  it('answers 503 naming Redis once Redis goes away', async () => {
    const proxy = await startRedisProxy();
    const t = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    try {
      await t.http.get('/api/health/ready').expect(200);
      await proxy.close();
      const ready = await t.http.get('/api/health/ready').expect(503);
      expect(ready.body).toEqual({
        status: 'error',
        failed: ['redis'],
        checks: { database: 'up', migrations: 'up-to-date', redis: 'down' },
        pendingMigrations: [],
      });
      await t.http.get('/api/health/live').expect(200);
    } finally {
      await proxy.close();
      await t.close();
    }
  });
});

/** A TCP relay to the test Redis that can be cut, so that Redis "goes away" for this app only. */
async function startRedisProxy(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(6379, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
