import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  commandText,
  containerPorts,
  environmentOf,
  healthcheckText,
  publishedPorts,
  readApiImage,
  readCompose,
  ROOT,
} from './container-files';

/** Static checks of the container wiring: nothing here needs a Docker engine. */
const JWT_SECRET = 'kq3Vx9TzL1mP7wR2sY8uB4nE6hJ0cA5dF-gI_oK';
const compose = readCompose({ JWT_SECRET });
const db = compose.services.db;
const redis = compose.services.redis;
const api = compose.services.api;
const nginx = compose.services.nginx;
const { path: dockerfilePath, finalStage, stageCount } = readApiImage(compose);
const lastOf = (keyword: string) => finalStage.filter((i) => i.keyword === keyword).at(-1);

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 18 as the db service', () => {
    expect(db).toBeDefined();
    expect(db.image).toMatch(/^postgres:18(\.\d+)*(-[\w.]+)?$/);
  });

  it('publishes PostgreSQL on loopback only, on 5433 unless DB_HOST_PORT says otherwise', () => {
    expect(db.ports).toEqual(['127.0.0.1:5433:5432']);
    expect(readCompose({ JWT_SECRET, DB_HOST_PORT: '15432' }).services.db.ports).toEqual([
      '127.0.0.1:15432:5432',
    ]);
  });

  it('runs Redis, on loopback only, and points the api at it', () => {
    expect(redis.image).toMatch(/^redis:\d/);
    expect(redis.ports).toEqual(['127.0.0.1:6379:6379']);
    expect(healthcheckText(redis)).toContain('ping');
    expect(environmentOf(api).REDIS_URL).toBe('redis://redis:6379');
  });

  it('requires JWT_SECRET from the environment or .env, naming it when missing', () => {
    expect(environmentOf(api).JWT_SECRET).toBe(JWT_SECRET);
    expect(() => readCompose({})).toThrow(/JWT_SECRET.*at least 32 random characters/);
    expect(() => readCompose({ JWT_SECRET: '' })).toThrow(/JWT_SECRET/);
  });

  it('puts nginx in front of the api only under the cluster profile, with its config file', () => {
    expect(nginx.profiles).toEqual(['cluster']);
    expect(nginx.image).toMatch(/^nginx:/);
    const volumes = nginx.volumes ?? [];
    const config = volumes.map((volume) => volume.split(':')[0]);
    expect(config).toEqual(['./deploy/nginx.compose.conf']);
    expect(existsSync(join(ROOT, config[0]))).toBe(true);
    for (const service of [db, redis, api]) expect(service.profiles).toBeUndefined();
  });

  it('lets --scale give each api replica its own host port', () => {
    const scaled = readCompose({ JWT_SECRET, API_PUBLISH: '127.0.0.1:8081-8083' });
    expect(scaled.services.api.ports).toEqual(['127.0.0.1:8081-8083:8080']);
  });

  it('reports the api healthy only when it is ready', () => {
    expect(healthcheckText(api)).toContain('http://127.0.0.1:8080/api/health/ready');
  });

  it('reports db healthy only once pg_isready succeeds', () => {
    expect(healthcheckText(db)).toContain('pg_isready');
  });

  it('builds the api from a Dockerfile that exists', () => {
    expect(api).toBeDefined();
    expect(api.build).toBeDefined();
    expect(existsSync(dockerfilePath)).toBe(true);
  });

  it('starts the api only after db and redis are healthy', () => {
    const dependsOn = api.depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn)).toBe(false);
    const conditions = dependsOn as Record<string, { condition?: string }>;
    expect(conditions.db?.condition).toBe('service_healthy');
    expect(conditions.redis?.condition).toBe('service_healthy');
  });

  it("points DATABASE_URL at the db service with db's own user, password and database", () => {
    const dbEnv = environmentOf(db);
    const url = new URL(environmentOf(api).DATABASE_URL);
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('db');
    expect(url.port || '5432').toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(dbEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(dbEnv.POSTGRES_PASSWORD);
    expect(url.pathname.replace(/^\//, '')).toBe(dbEnv.POSTGRES_DB);
  });

  it('publishes the api on 8080, the port it listens on', () => {
    expect(environmentOf(api).PORT).toBe('8080');
    expect(containerPorts(api)).toContain('8080');
    expect(publishedPorts(api)).toContain('8080');
  });
});

describe('Dockerfile', () => {
  it('separates the build from the runtime in at least two stages', () => {
    expect(stageCount).toBeGreaterThanOrEqual(2);
  });

  it('runs the final stage as a non-root user', () => {
    const user = lastOf('USER');
    expect(user).toBeDefined();
    const name = user!.args.split(':')[0].trim();
    expect(['', 'root', '0']).not.toContain(name);
  });

  it('exposes the port the api listens on', () => {
    const exposed = finalStage
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/).map((port) => port.split('/')[0]));
    expect(exposed).toContain('8080');
  });

  it('builds and runs on Node 24 LTS', () => {
    const bases = readFileSync(dockerfilePath, 'utf8').match(/^FROM\s+\S+/gm) ?? [];
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^FROM\s+node:24[-.]/);
  });

  it('probes readiness on 8080 for its healthcheck', () => {
    expect(lastOf('HEALTHCHECK')?.args).toContain('http://127.0.0.1:8080/api/health/ready');
  });

  it('migrates the database before it starts the api', () => {
    const cmd = lastOf('CMD');
    expect(cmd).toBeDefined();
    const command = commandText(cmd!.args);
    const migrate = command.indexOf('dist/db/cli.js up');
    const start = command.indexOf('dist/src/main.js');
    expect(migrate).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(migrate);
    // `&&` keeps a failed migration from starting the api; `exec` hands signals to node.
    expect(command.slice(migrate, start)).toContain('&&');
    expect(command).toMatch(/exec node dist\/src\/main\.js/);
  });

  it('runs only compiled files whose TypeScript sources exist', () => {
    const runs = finalStage
      .filter((i) => ['CMD', 'ENTRYPOINT', 'RUN'].includes(i.keyword))
      .map((i) => commandText(i.args))
      .join('\n');
    const compiled = [...runs.matchAll(/\bdist\/([\w./-]+)\.js\b/g)].map((m) => m[1]);
    expect(compiled).toEqual(expect.arrayContaining(['db/cli', 'src/main']));
    for (const file of compiled) {
      expect({ file, exists: existsSync(join(ROOT, `${file}.ts`)) }).toEqual({
        file,
        exists: true,
      });
    }
  });
});
