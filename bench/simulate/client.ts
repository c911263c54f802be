import { io, type Socket } from 'socket.io-client';
import { sleep } from '../common';

/** The API as a phone meets it: JSON over HTTP with a bearer token, and the /realtime socket. */

export interface Answer {
  status: number;
  // The API's JSON, read by the few fields the simulator needs.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Seconds, when the API said how long to wait (429). */
  retryAfter?: number;
}

/** Network failures as an answer with status 0, so callers handle one shape. */
const UNREACHABLE = 0;

export class ApiClient {
  /** Answers the simulator did not expect (5xx, network errors), per route, for the report. */
  readonly unexpected = new Map<string, number>();

  constructor(readonly base: string) {}

  async call(method: string, path: string, token?: string, body?: object): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
      });
      const answer: Answer = {
        status: response.status,
        body: parsed(await response.text()),
        retryAfter: Number(response.headers.get('retry-after') ?? 1) || 1,
      };
      if (answer.status >= 500) this.count(method, path);
      return answer;
    } catch (error) {
      this.count(method, path);
      return { status: UNREACHABLE, body: { message: (error as Error).message } };
    }
  }

  private count(method: string, path: string): void {
    const route = `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
    this.unexpected.set(route, (this.unexpected.get(route) ?? 0) + 1);
  }

  /**
   * A call that rate limits may refuse (registration, login): waits as long as Retry-After says
   * and tries again, so a run against an API with its production limits is slow but honest.
   */
  async patiently(method: string, path: string, body: object): Promise<Answer> {
    for (;;) {
      const answer = await this.call(method, path, undefined, body);
      if (answer.status !== 429) return answer;
      await sleep(Math.max(1, answer.retryAfter ?? 1) * 1000);
    }
  }
}

/** JSON, or the text as a message (a proxy's HTML error page, say). */
function parsed(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

export interface Session {
  userId: number;
  token: string;
}

export type Role = 'rider' | 'driver';
const ROLE_IDS: Record<Role, number> = { rider: 1, driver: 2 };

/** Registration, then login: the account and its access token, as the app would get them. */
export async function signUp(
  api: ApiClient,
  role: Role,
  name: string,
  licensePlate: string,
): Promise<Session> {
  const password = `sim-password-${name}`;
  const vehicle = role === 'driver' ? { make: 'Toyota', model: 'Prius', licensePlate } : {};
  const registered = await api.patiently('POST', '/api/auth/register', {
    username: name,
    password,
    roleId: ROLE_IDS[role],
    ...vehicle,
  });
  if (registered.status !== 201) {
    throw new Error(`registering ${name}: ${registered.status} ${JSON.stringify(registered.body)}`);
  }
  const login = await api.patiently('POST', '/api/auth/login', { username: name, password });
  if (login.status !== 200) {
    throw new Error(`logging in ${name}: ${login.status} ${JSON.stringify(login.body)}`);
  }
  return { userId: login.body.userId, token: login.body.accessToken };
}

/** A connected /realtime socket; it reconnects by itself as a phone's would. */
export function connectRealtime(base: string, token: string): Promise<Socket> {
  const socket = io(`${base}/realtime`, {
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`realtime refused the socket: ${error.message}`));
    });
  });
}

/**
 * Runs `work` on each item with at most `limit` at a time. After a failure no new item starts;
 * it rejects with the first failure once the items under way have settled, so nothing they open
 * is left behind the caller's clean-up.
 */
export async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next;
      next += 1;
      await work(items[index], index).catch((error: unknown) => {
        failure ??= { error };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
