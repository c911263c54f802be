import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Reading the Dockerfile and docker-compose.yml as Docker would, without a Docker engine. */
export const ROOT = join(__dirname, '..', '..');

export interface Instruction {
  keyword: string;
  args: string;
}

export interface ComposeService {
  profiles?: string[];
  volumes?: string[];
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Joins `\` continuations, drops comments and blank lines, and splits each line into keyword + args. */
export function parseDockerfile(text: string): Instruction[] {
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
export function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The command line an exec-form (`["sh", "-c", "..."]`) or shell-form instruction runs. */
export function commandText(args: string): string {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[')) return trimmed;
  return (JSON.parse(trimmed) as string[]).join(' ');
}

export function environmentOf(service: ComposeService): Record<string, string> {
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

export function healthcheckText(service: ComposeService): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

export function containerPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return String(port.target);
    // "host:container", "ip:host:container", optionally with "/tcp"
    return String(port).split('/')[0].split(':').at(-1)!;
  });
}

export function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return String(port.published ?? '');
    const parts = String(port).split('/')[0].split(':');
    return parts.length > 1 ? parts.at(-2)! : '';
  });
}

/**
 * Compose's variable interpolation: `${VAR}`, `${VAR:-default}` / `${VAR-default}`,
 * `${VAR:?message}` / `${VAR?message}` (fails with the message, as `docker compose` does) and `$$`.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}|\$(\w+)/g,
    (whole, name?: string, colon?: string, kind?: string, operand?: string, bare?: string) => {
      if (whole === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const value = env[name!];
      const missing = colon ? !value : value === undefined;
      if (!missing) return value!;
      if (kind === '-') return operand!;
      if (kind === '?') throw new Error(`required variable ${name} is missing a value: ${operand}`);
      return '';
    },
  );
}

/** docker-compose.yml with every string interpolated from `env`. */
export function readCompose(env: Record<string, string | undefined>): ComposeFile {
  const raw = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as unknown;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return interpolate(value, env);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    }
    return value;
  };
  return walk(raw) as ComposeFile;
}

/** The final stage of the Dockerfile the compose `api` service builds. */
export function readApiImage(compose: ComposeFile): {
  path: string;
  finalStage: Instruction[];
  stageCount: number;
} {
  const api = compose.services.api;
  const build = typeof api.build === 'string' ? { context: api.build } : (api.build ?? {});
  const path = join(ROOT, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const stages = stagesOf(parseDockerfile(text));
  return { path, finalStage: stages.at(-1) ?? [], stageCount: stages.length };
}

/** The argv an exec-form (`["node", "x.js"]`) or shell-form instruction runs. */
export function argvOf(args: string): string[] {
  const trimmed = args.trim();
  return trimmed.startsWith('[') ? (JSON.parse(trimmed) as string[]) : ['/bin/sh', '-c', trimmed];
}

/** The variables a stage's `ENV KEY=value …` instructions set, later ones winning. */
export function imageEnvironment(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.filter((i) => i.keyword === 'ENV')) {
    for (const [, key, value] of instruction.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      env[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}
