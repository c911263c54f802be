import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Static checks of the container wiring: nothing here needs a Docker engine. */
const root = join(__dirname, '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Joins `\` continuations, drops comments and blank lines, and splits each line into keyword + args. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const match = /^(\S+)\s*(.*)$/.exec(full)!;
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2] });
  }
  return instructions;
}

/** Groups instructions by FROM; each stage starts with its FROM instruction. */
function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The command line an exec-form (`["sh", "-c", "..."]`) or shell-form instruction runs. */
function commandText(args: string): string {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[')) return trimmed;
  return (JSON.parse(trimmed) as string[]).join(' ');
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

function healthcheckText(service: ComposeService): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

function containerPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return String(port.target);
    // "host:container", "ip:host:container", optionally with "/tcp"
    return String(port).split('/')[0].split(':').at(-1)!;
  });
}

function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return String(port.published ?? '');
    const parts = String(port).split('/')[0].split(':');
    return parts.length > 1 ? parts.at(-2)! : '';
  });
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const db = compose.services.db;
const api = compose.services.api;
const build = typeof api.build === 'string' ? { context: api.build } : (api.build ?? {});
const dockerfilePath = join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
const dockerfile = existsSync(dockerfilePath) ? readFileSync(dockerfilePath, 'utf8') : '';
const stages = stagesOf(parseDockerfile(dockerfile));
const finalStage = stages.at(-1) ?? [];
const lastOf = (keyword: string) => finalStage.filter((i) => i.keyword === keyword).at(-1);

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 16 as the db service', () => {
    expect(db).toBeDefined();
    expect(db.image).toMatch(/^postgres:16(\.\d+)*(-[\w.]+)?$/);
  });

  it('reports db healthy only once pg_isready succeeds', () => {
    expect(healthcheckText(db)).toContain('pg_isready');
  });

  it('builds the api from a Dockerfile that exists', () => {
    expect(api).toBeDefined();
    expect(api.build).toBeDefined();
    expect(existsSync(dockerfilePath)).toBe(true);
  });

  it('starts the api only after db is healthy', () => {
    const dependsOn = api.depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn)).toBe(false);
    expect((dependsOn as Record<string, { condition?: string }>).db?.condition).toBe(
      'service_healthy',
    );
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
    expect(stages.length).toBeGreaterThanOrEqual(2);
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

  it('probes /api/health on 8080 for its healthcheck', () => {
    expect(lastOf('HEALTHCHECK')?.args).toContain('http://127.0.0.1:8080/api/health');
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
      expect({ file, exists: existsSync(join(root, `${file}.ts`)) }).toEqual({
        file,
        exists: true,
      });
    }
  });
});
