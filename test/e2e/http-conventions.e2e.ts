import type { Response } from 'supertest';
import { ErrorCode } from '../../src/common/errors/error-codes';
import { createTestApp, SECRET_PATTERNS, type TestApp } from '../support/app';

/** The conventions every endpoint shares: one error shape, no leaks, Swagger, security headers. */

const PASSWORD = 'correct horse battery';
const BODY_LIMIT = 100 * 1024;

/** What must never reach a client: stack frames, SQL, database internals, password hashes. */
const LEAKS = [
  / {4}at /,
  /node_modules|\.[jt]s:\d+/,
  /\bSELECT\b/i,
  /\bINSERT INTO\b/i,
  /\bUPDATE "/i,
  /\bDELETE FROM\b/i,
  /"Users"|"Roles"/,
  /violates|constraint|SQLSTATE|Sequelize/i,
  ...SECRET_PATTERNS,
];

let t: TestApp;
let counter = 0;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}q`;
}

async function createUser(): Promise<{ id: number; username: string }> {
  const response = await t.admin
    .post('/api/users')
    .send({ username: uniqueName(), password: PASSWORD, roleId: 1 });
  expect(response.status).toBe(201);
  return response.body as { id: number; username: string };
}

function expectErrorShape(response: Response, status: number, code?: ErrorCode): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({
    success: false,
    statusCode: status,
    error: expect.any(String),
    code: code ?? expect.any(String),
    message: expect.any(String),
    ...('details' in response.body && { details: expect.any(Array) }),
    requestId: response.headers['x-request-id'],
  });
  expect(Object.values(ErrorCode)).toContain(response.body.code);
  expect(response.body.message.length).toBeGreaterThan(0);
}

function expectNoLeak(response: Response): void {
  for (const pattern of LEAKS) expect(response.text).not.toMatch(pattern);
}

async function sendRaw(path: string, contentType: string, body: string): Promise<Response> {
  return t.admin.post(path).set('Content-Type', contentType).send(body);
}

describe('the error shape', () => {
  it.each([
    ['GET', '/api/nope'],
    ['GET', '/nope'],
    ['DELETE', '/api/users'],
    ['PUT', '/api/users/1'],
    ['GET', '/api/users/1/friends'],
  ])('answers an unknown route %s %s with 404', async (method, path) => {
    const response = await t.admin[method.toLowerCase() as 'get' | 'delete' | 'put'](path);
    expectErrorShape(response, 404, ErrorCode.NotFound);
    expect(response.body.error).toBe('Not Found');
  });

  it('answers malformed JSON with 400', async () => {
    const response = await sendRaw('/api/users', 'application/json', '{"username": "ann",');
    expectErrorShape(response, 400, ErrorCode.MalformedRequest);
    expect(response.body.error).toBe('Bad Request');
  });

  it('answers an empty JSON body with 400', async () => {
    expectErrorShape(await sendRaw('/api/users', 'application/json', ''), 400);
  });

  it('refuses JSON with a __proto__ key with 400', async () => {
    const body = '{"__proto__": {"isAdmin": true}, "username": "ann"}';
    expectErrorShape(await sendRaw('/api/users', 'application/json', body), 400);
  });

  it('answers a body over 100 kB with 413', async () => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: 'x'.repeat(BODY_LIMIT + 1), password: PASSWORD, roleId: 1 });
    expectErrorShape(response, 413, ErrorCode.PayloadTooLarge);
    expect(response.body.error).toBe('Payload Too Large');
  });

  it('reads a body just under 100 kB and validates it instead of refusing its size', async () => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: 'x'.repeat(BODY_LIMIT - 100), password: PASSWORD, roleId: 1 });
    expectErrorShape(response, 400, ErrorCode.ValidationFailed);
    expect(response.body.details).toEqual([
      { field: 'username', message: 'username must be between 3 and 32 characters' },
    ]);
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'answers a body of type %s with 415',
    async (type) => {
      const response = await sendRaw('/api/users', type, 'username=ann');
      expectErrorShape(response, 415, ErrorCode.UnsupportedMediaType);
      expect(response.body.error).toBe('Unsupported Media Type');
    },
  );

  it('answers a validation failure with 400, a one-line message and { field, message } details', async () => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: 'a', password: 'short', roleId: 0, extra: 1 });
    expectErrorShape(response, 400, ErrorCode.ValidationFailed);
    expect(response.body.message).not.toContain('\n');
    const details = response.body.details as Record<string, unknown>[];
    expect(details.length).toBeGreaterThanOrEqual(4);
    for (const detail of details) {
      expect(Object.keys(detail).sort()).toEqual(['field', 'message']);
      expect(detail).toEqual({ field: expect.any(String), message: expect.any(String) });
    }
    expect(details.map((detail) => detail.field)).toEqual(
      expect.arrayContaining(['username', 'password', 'roleId', 'extra']),
    );
  });

  it('leaves details out of errors that are not about fields', async () => {
    const response = await t.admin.get('/api/users/987654');
    expectErrorShape(response, 404);
    expect(response.body).not.toHaveProperty('details');
  });

  it('answers a path with broken percent-encoding in the same error shape', async () => {
    expectErrorShape(await t.admin.get('/api/users/%FF'), 400, ErrorCode.MalformedRequest);
  });
});

describe('error codes', () => {
  it('answers a missing or invalid token with UNAUTHORIZED', async () => {
    expectErrorShape(await t.http.get('/api/users'), 401, ErrorCode.Unauthorized);
    const bad = await t.http.get('/api/users').set('Authorization', 'Bearer not.a.token');
    expectErrorShape(bad, 401, ErrorCode.Unauthorized);
  });

  it('answers a role that may not act with FORBIDDEN', async () => {
    const user = await createUser();
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: user.username, password: PASSWORD })
      .expect(200);
    const response = await t.http
      .get('/api/users')
      .set('Authorization', `Bearer ${login.body.accessToken as string}`);
    expectErrorShape(response, 403, ErrorCode.Forbidden);
  });

  it('answers a missing record with NOT_FOUND and a taken name with CONFLICT', async () => {
    expectErrorShape(await t.admin.get('/api/users/987655'), 404, ErrorCode.NotFound);
    const user = await createUser();
    const duplicate = await t.admin
      .post('/api/users')
      .send({ username: user.username, password: PASSWORD, roleId: 1 });
    expectErrorShape(duplicate, 409, ErrorCode.Conflict);
  });

  it('answers a value PostgreSQL refuses with VALIDATION_FAILED', async () => {
    const response = await t.admin.get('/api/users/99999999999');
    expectErrorShape(response, 400, ErrorCode.ValidationFailed);
  });
});

describe('what a response never contains', () => {
  const hostile: [string, () => Promise<Response>][] = [
    [
      'a duplicate username',
      async () => {
        const user = await createUser();
        return t.admin
          .post('/api/users')
          .send({ username: user.username.toUpperCase(), password: PASSWORD, roleId: 1 });
      },
    ],
    [
      'a duplicate role name',
      async () => {
        const name = `team-${uniqueName()}`;
        await t.admin.post('/api/roles').send({ name }).expect(201);
        return t.admin.post('/api/roles').send({ name });
      },
    ],
    [
      'a roleId that names no role',
      async () =>
        t.admin
          .post('/api/users')
          .send({ username: uniqueName(), password: PASSWORD, roleId: 9999 }),
    ],
    [
      'a roleId beyond the database integer range',
      async () =>
        t.admin
          .post('/api/users')
          .send({ username: uniqueName(), password: PASSWORD, roleId: 3_000_000_000 }),
    ],
    [
      'a changed roleId beyond the database integer range',
      async () => {
        const user = await createUser();
        return t.admin.patch(`/api/users/${user.id}`).send({ roleId: 1e300 });
      },
    ],
    ['an id beyond the integer range', async () => t.admin.get('/api/users/99999999999')],
    [
      'a quote in the search',
      async () => t.admin.get('/api/users').query({ search: "' OR 1=1 --" }),
    ],
    [
      'SQL in the role filter',
      async () => t.admin.get('/api/users').query({ role: `x'; DROP TABLE "Users"; --` }),
    ],
    [
      'a NUL character in the search',
      async () => t.admin.get('/api/users').query({ search: '\0' }),
    ],
    ['a backslash in the search', async () => t.admin.get('/api/users').query({ search: '\\' })],
    ['a page far beyond the end', async () => t.admin.get('/api/users').query({ page: 100000 })],
    [
      'objects where strings belong',
      async () =>
        t.admin
          .post('/api/users')
          .send({ username: { $gt: '' }, password: ['x'], roleId: { id: 1 } }),
    ],
    ['a JSON array as the body', async () => sendRaw('/api/users', 'application/json', '[1,2]')],
    ['JSON null as the body', async () => sendRaw('/api/users', 'application/json', 'null')],
    [
      'deeply nested JSON',
      async () =>
        sendRaw('/api/users', 'application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`),
    ],
  ];

  it.each(hostile)(
    'answers %s without a 500, a stack trace, SQL or a password hash',
    async (_label, send) => {
      const response = await send();
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(500);
      if (response.status >= 400) expectErrorShape(response, response.status);
      expectNoLeak(response);
    },
  );

  it('never shows a password hash in a created, fetched, changed or listed user', async () => {
    const user = await createUser();
    const responses = [
      await t.admin.get(`/api/users/${user.id}`),
      await t.admin.patch(`/api/users/${user.id}`).send({ password: 'a new long secret' }),
      await t.admin.get('/api/users').query({ search: user.username }),
      await t.admin.get('/api/roles/1'),
    ];
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.text).not.toMatch(/"password"/);
      expectNoLeak(response);
    }
  });
});

describe('API documentation', () => {
  it('serves Swagger UI as HTML at /docs, with its scripts', async () => {
    const page = await t.admin.get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('swagger-ui');

    const script = await t.admin.get('/docs/swagger-ui-init.js').expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('serves an OpenAPI document at /docs-json with the users and roles paths', async () => {
    const response = await t.admin.get('/docs-json').expect(200);
    const document = response.body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/users', '/api/users/{id}', '/api/roles', '/api/roles/{id}']),
    );
    expect(Object.keys(document.paths['/api/users']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/api/users/{id}']).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
    expect(Object.keys(document.paths['/api/roles']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/api/roles/{id}']).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
  });

  it('documents the error shape as ErrorResponseDto and uses it for error responses', async () => {
    const response = await t.admin.get('/docs-json').expect(200);
    const schemas = response.body.components.schemas;
    expect(schemas.ErrorResponseDto).toMatchObject({
      type: 'object',
      properties: {
        success: expect.any(Object),
        statusCode: expect.any(Object),
        error: expect.any(Object),
        message: { type: 'string' },
        details: { type: 'array' },
      },
      required: expect.arrayContaining(['success', 'statusCode', 'error', 'message']),
    });
    const conflict = response.body.paths['/api/users'].post.responses['409'];
    expect(conflict.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorResponseDto',
    });
  });
});

describe('documented error codes', () => {
  it('lists every error code, each with its meaning, in the error schema', async () => {
    const response = await t.admin.get('/docs-json').expect(200);
    const schemas = response.body.components.schemas;
    expect(schemas.ErrorResponseDto.properties.code.allOf).toEqual([
      { $ref: '#/components/schemas/ErrorCode' },
    ]);
    expect(schemas.ErrorResponseDto.required).toEqual(
      expect.arrayContaining(['code', 'requestId']),
    );
    expect([...schemas.ErrorCode.enum].sort()).toEqual(Object.values(ErrorCode).sort());
    const description = schemas.ErrorResponseDto.properties.code.description as string;
    for (const code of Object.values(ErrorCode)) {
      expect(description).toMatch(new RegExp(`\`${code}\`: \\S`));
    }
  });
});

describe('security headers', () => {
  /** Helmet's defaults that govern HTML documents, not JSON. */
  const DOCUMENT_ONLY = [
    'cross-origin-opener-policy',
    'origin-agent-cluster',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
  ];

  it.each([
    ['a successful response', '/api/health', 200],
    ['an error response', '/api/nope', 404],
    ['a URL refused before routing', '/api/users/%FF', 400],
    ['an authenticated read', '/api/roles', 200],
    ['a path that only begins like the explorer’s', '/docsearch', 404],
  ])('sets the API’s set on %s: nothing may load or frame it', async (_label, path, status) => {
    const response = await t.admin.get(path).expect(status);
    expect(response.headers).toMatchObject({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'strict-transport-security': expect.stringContaining('max-age='),
    });
    for (const name of [...DOCUMENT_ONLY, 'x-powered-by']) {
      expect(response.headers).not.toHaveProperty(name);
    }
  });

  it.each([
    ['the API explorer', '/docs'],
    ['its OpenAPI document', '/docs-json'],
    ['its OpenAPI document as YAML', '/docs-yaml'],
  ])('sets helmet’s full set on %s, with the explorer’s policy', async (_label, path) => {
    const response = await t.admin.get(path).expect(200);
    expect(response.headers).toMatchObject({
      'content-security-policy': expect.stringContaining("default-src 'self'"),
      'x-frame-options': 'SAMEORIGIN',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringContaining('max-age='),
    });
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    for (const name of DOCUMENT_ONLY) expect(response.headers).toHaveProperty(name);
    expect(response.headers).not.toHaveProperty('x-powered-by');
  });
});

describe('cross-origin requests', () => {
  const WEB_APP = 'https://app.example';
  const preflight = (agent: TestApp['http'], origin: string) =>
    agent
      .options('/api/service-types')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');

  it('allows none unless CORS_ORIGINS names them: a preflight is a JSON 404', async () => {
    const response = await preflight(t.http, WEB_APP).expect(404);
    expect(response.body).toMatchObject({ success: false, statusCode: 404 });
    const read = await t.http.get('/api/service-types').set('Origin', WEB_APP).expect(200);
    for (const headers of [response.headers, read.headers]) {
      expect(Object.keys(headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('answers the preflight and the request of an origin CORS_ORIGINS names, and no other', async () => {
    const cors = await createTestApp({ CORS_ORIGINS: `${WEB_APP},https://admin.example` });
    try {
      const allowed = await preflight(cors.http, WEB_APP).expect(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': WEB_APP,
        'access-control-allow-headers': 'authorization',
        'access-control-allow-methods': expect.stringContaining('GET'),
      });
      const read = await cors.http.get('/api/service-types').set('Origin', WEB_APP).expect(200);
      expect(read.headers['access-control-allow-origin']).toBe(WEB_APP);
      expect(read.headers.vary).toMatch(/origin/i);
      expect(read.headers).toHaveProperty('x-content-type-options', 'nosniff');

      const stranger = await cors.http
        .get('/api/service-types')
        .set('Origin', 'https://evil.example')
        .expect(200);
      expect(stranger.headers).not.toHaveProperty('access-control-allow-origin');
      const refused = await preflight(cors.http, 'https://evil.example');
      expect(refused.headers).not.toHaveProperty('access-control-allow-origin');
    } finally {
      await cors.close();
    }
  });
});
