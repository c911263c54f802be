import type { Response } from 'supertest';
import { countStatements, createTestApp, type TestApp } from '../support/app';

/** Black-box tests of /api/users: every endpoint, its validation, its errors and its SQL budget. */

const RIDER = 1;
const DRIVER = 2;
const ADMIN = 3;
const PASSWORD = 'correct horse battery';

interface UserBody {
  id: number;
  username: string;
  roleId: number;
  role: { id: number; name: string };
  createdAt: string;
  updatedAt: string;
}

interface PageBody {
  data: UserBody[];
  meta: { page: number; limit: number; total: number; totalPages: number };
}

let t: TestApp;
let counter = 0;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A name no other test uses; letters only around the number, so it is also a search stem. */
function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}q`;
}

async function createUser(
  fields: { username?: string; password?: string; roleId?: number } = {},
): Promise<UserBody> {
  const response = await t.admin
    .post('/api/users')
    .send({ username: uniqueName(), password: PASSWORD, roleId: RIDER, ...fields });
  expect(response.status).toBe(201);
  return response.body as UserBody;
}

/** Many users at once, straight into the table: for tests about paging, not about creating. */
async function insertUsers(stem: string, count: number, roleId = RIDER): Promise<void> {
  await t.sequelize.query(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     SELECT :stem || '.' || n, '!', :roleId, now(), now() FROM generate_series(1, :count) AS n`,
    { replacements: { stem, count, roleId } },
  );
}

async function createRole(): Promise<{ id: number; name: string }> {
  const response = await t.admin.post('/api/roles').send({ name: uniqueName('team') });
  expect(response.status).toBe(201);
  return response.body as { id: number; name: string };
}

async function listUsers(query: Record<string, string | number>): Promise<PageBody> {
  const response = await t.admin.get('/api/users').query(query);
  expect(response.status).toBe(200);
  return response.body as PageBody;
}

function expectError(response: Response, status: number, fields: string[] = []): void {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({
    success: false,
    statusCode: status,
    error: expect.any(String),
    message: expect.any(String),
  });
  if (fields.length === 0) return;
  const reported = (response.body.details as { field: string }[]).map((detail) => detail.field);
  expect(reported).toEqual(expect.arrayContaining(fields));
}

function expectPublicUser(user: UserBody): void {
  expect(Object.keys(user).sort()).toEqual(
    ['createdAt', 'id', 'role', 'roleId', 'updatedAt', 'username'].sort(),
  );
  expect(user.role).toEqual({ id: user.roleId, name: expect.any(String) });
}

async function storedPasswordOf(id: number): Promise<string> {
  const [rows] = await t.sequelize.query(`SELECT password FROM "Users" WHERE id = :id`, {
    replacements: { id },
  });
  return (rows as { password: string }[])[0].password;
}

describe('GET /api/users', () => {
  it('pages through users with page, limit, total and totalPages', async () => {
    const stem = uniqueName('page');
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1)
      created.push((await createUser({ username: `${stem}${i}` })).username);

    const first = await listUsers({ search: stem, limit: 2, page: 1 });
    expect(first.data.map((user) => user.username)).toEqual(created.slice(0, 2));
    expect(first.meta).toEqual({ page: 1, limit: 2, total: 5, totalPages: 3 });

    const last = await listUsers({ search: stem, limit: 2, page: 3 });
    expect(last.data.map((user) => user.username)).toEqual(created.slice(4));
    expect(last.meta).toEqual({ page: 3, limit: 2, total: 5, totalPages: 3 });
  });

  it('answers a page beyond the end with no users and the true total', async () => {
    const stem = uniqueName('beyond');
    await insertUsers(stem, 3);

    const page = await listUsers({ search: stem, limit: 2, page: 7 });
    expect(page).toEqual({ data: [], meta: { page: 7, limit: 2, total: 3, totalPages: 2 } });
  });

  it('answers an empty result with zero pages', async () => {
    const page = await listUsers({ search: uniqueName('nobody') });
    expect(page).toEqual({ data: [], meta: { page: 1, limit: 20, total: 0, totalPages: 0 } });
  });

  it('serves page 1 of 20 users when no paging is asked for', async () => {
    const stem = uniqueName('default');
    await insertUsers(stem, 25);

    const page = await listUsers({ search: stem });
    expect(page.data).toHaveLength(20);
    expect(page.meta).toEqual({ page: 1, limit: 20, total: 25, totalPages: 2 });
  });

  it('caps the page size at 100 when 500 is asked for', async () => {
    const stem = uniqueName('cap');
    await insertUsers(stem, 120);

    const page = await listUsers({ search: stem, limit: 500 });
    expect(page.data).toHaveLength(100);
    expect(page.meta).toEqual({ page: 1, limit: 100, total: 120, totalPages: 2 });
  });

  it.each([
    ['limit=0', { limit: '0' }, 'limit'],
    ['limit=-1', { limit: '-1' }, 'limit'],
    ['limit=abc', { limit: 'abc' }, 'limit'],
    ['limit=1.5', { limit: '1.5' }, 'limit'],
    ['page=0', { page: '0' }, 'page'],
    ['page=-3', { page: '-3' }, 'page'],
    ['page=abc', { page: 'abc' }, 'page'],
  ])('refuses %s with 400 naming the parameter', async (_label, query, field) => {
    expectError(await t.admin.get('/api/users').query(query), 400, [field]);
  });

  it('refuses unknown query parameters with 400', async () => {
    expectError(await t.admin.get('/api/users').query({ sort: 'username' }), 400, ['sort']);
  });

  it('filters by role name regardless of letter case and surrounding spaces', async () => {
    const role = await createRole();
    const holders = [await createUser({ roleId: role.id }), await createUser({ roleId: role.id })];
    await createUser({ roleId: RIDER });

    for (const asked of [role.name, role.name.toUpperCase(), `  ${role.name.toUpperCase()} `]) {
      const page = await listUsers({ role: asked });
      expect(page.data.map((user) => user.id)).toEqual(holders.map((user) => user.id));
      expect(page.meta.total).toBe(2);
      for (const user of page.data) expect(user.role).toEqual({ id: role.id, name: role.name });
    }
  });

  it('combines the role filter with the search', async () => {
    const stem = uniqueName('combo');
    const driver = await createUser({ username: `${stem}d`, roleId: DRIVER });
    await createUser({ username: `${stem}r`, roleId: RIDER });

    const page = await listUsers({ search: stem, role: 'Driver' });
    expect(page.data.map((user) => user.id)).toEqual([driver.id]);
    expect(page.meta.total).toBe(1);
  });

  it('finds nobody for a role that does not exist', async () => {
    const page = await listUsers({ role: uniqueName('ghost') });
    expect(page).toEqual({ data: [], meta: { page: 1, limit: 20, total: 0, totalPages: 0 } });
  });

  it('searches usernames by a part of them, regardless of letter case', async () => {
    const stem = uniqueName('find');
    const ann = await createUser({ username: `Ann.${stem}.Lee` });
    await createUser({ username: `Bob.${stem}.Ray` });

    const page = await listUsers({ search: `aNN.${stem.toUpperCase()}` });
    expect(page.data.map((user) => user.id)).toEqual([ann.id]);
    expect(page.meta.total).toBe(1);
  });

  it('treats % in the search as a literal character, not a wildcard', async () => {
    const stem = uniqueName('pct');
    await createUser({ username: `${stem}a` });
    await createUser({ username: `${stem}b` });

    expect(await listUsers({ search: `${stem}%` })).toMatchObject({ data: [], meta: { total: 0 } });
    expect(await listUsers({ search: '%' })).toMatchObject({ data: [], meta: { total: 0 } });
  });

  it('treats _ in the search as a literal character, not a wildcard', async () => {
    const stem = uniqueName('under');
    const underscored = await createUser({ username: `${stem}_x` });
    await createUser({ username: `${stem}yx` });

    const page = await listUsers({ search: `${stem}_` });
    expect(page.data.map((user) => user.id)).toEqual([underscored.id]);
    expect(page.meta.total).toBe(1);
  });

  it('shows each user with their role as { id, name } and without a password', async () => {
    const stem = uniqueName('shape');
    await createUser({ username: `${stem}a`, roleId: DRIVER });
    await createUser({ username: `${stem}b`, roleId: ADMIN });

    const page = await listUsers({ search: stem });
    expect(page.data.map((user) => user.role)).toEqual([
      { id: DRIVER, name: 'driver' },
      { id: ADMIN, name: 'admin' },
    ]);
    for (const user of page.data) expectPublicUser(user);
  });

  // One more statement is the access guard re-reading the caller (so deleted users are refused).
  it('runs the caller check plus at most two SQL statements (rows + count) per page, whatever its size', async () => {
    const stem = uniqueName('sql');
    await insertUsers(stem, 30, DRIVER);

    let small: PageBody | undefined;
    let large: PageBody | undefined;
    const forOne = await countStatements(t, async () => {
      small = await listUsers({ search: stem, role: 'driver', limit: 1 });
    });
    const forHundred = await countStatements(t, async () => {
      large = await listUsers({ search: stem, role: 'driver', limit: 100 });
    });

    expect(small?.data).toHaveLength(1);
    expect(large?.data).toHaveLength(30);
    expect(forOne).toBeGreaterThan(0);
    expect(forOne).toBeLessThanOrEqual(1 + 2);
    expect(forHundred).toBe(forOne);
  });
});

describe('GET /api/users/:id', () => {
  it('shows one user with their role', async () => {
    const created = await createUser({ roleId: DRIVER });

    const response = await t.admin.get(`/api/users/${created.id}`).expect(200);
    expect(response.body).toEqual(created);
    expect(response.body.role).toEqual({ id: DRIVER, name: 'driver' });
  });

  it('answers 404 for a user that does not exist', async () => {
    expectError(await t.admin.get('/api/users/987654'), 404);
  });

  it.each(['abc', '0', '1.5', '-1', '99999999999', '2147483648'])(
    'refuses the id %s with 400 instead of looking it up',
    async (id) => {
      expectError(await t.admin.get(`/api/users/${id}`), 400, ['id']);
    },
  );
});

describe('POST /api/users', () => {
  it('creates a user and answers 201 with the user and their role, never the password', async () => {
    const username = uniqueName('new');
    const response = await t.admin
      .post('/api/users')
      .send({ username, password: PASSWORD, roleId: DRIVER })
      .expect(201);

    expectPublicUser(response.body);
    expect(response.body).toMatchObject({
      id: expect.any(Number),
      username,
      roleId: DRIVER,
      role: { id: DRIVER, name: 'driver' },
    });
    expect(response.text).not.toContain(PASSWORD);
    expect(new Date(response.body.createdAt).toString()).not.toBe('Invalid Date');
    await t.admin.get(`/api/users/${response.body.id}`).expect(200);
  });

  it('stores the password as an argon2id hash, not as sent', async () => {
    const user = await createUser();

    const stored = await storedPasswordOf(user.id);
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain(PASSWORD);
  });

  it('trims spaces around the username', async () => {
    const username = uniqueName('trim');
    const user = await createUser({ username: `  ${username}\t ` });
    expect(user.username).toBe(username);
  });

  it('accepts usernames of 3 and of 32 characters made of letters, digits, ".", "_" and "-"', async () => {
    const longest = `A.b_c-${uniqueName()}`.padEnd(32, 'z');
    expect((await createUser({ username: longest })).username).toBe(longest);
    expect((await createUser({ username: 'x_9' })).username).toBe('x_9');
  });

  it.each([
    ['of 2 characters', 'ab'],
    ['of 2 characters once trimmed', '  ab  '],
    ['of 33 characters', 'a'.repeat(33)],
    ['with a space inside', 'ann lee'],
    ['with an @', 'ann@lee'],
    ['with a slash', 'ann/lee'],
    ['with a non-ASCII letter', 'jösé'],
    ['that is empty', ''],
  ])('refuses a username %s', async (_label, username) => {
    const response = await t.admin
      .post('/api/users')
      .send({ username, password: PASSWORD, roleId: RIDER });
    expectError(response, 400, ['username']);
  });

  it('refuses a username that is not a string', async () => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: 12345, password: PASSWORD, roleId: RIDER });
    expectError(response, 400, ['username']);
  });

  it('accepts passwords of 8 and of 128 characters', async () => {
    await createUser({ password: 'p'.repeat(8) });
    await createUser({ password: 'p'.repeat(128) });
  });

  it.each([
    ['of 7 characters', 'p'.repeat(7)],
    ['of 129 characters', 'p'.repeat(129)],
    ['that is a number', 12345678],
  ])('refuses a password %s', async (_label, password) => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: uniqueName(), password, roleId: RIDER });
    expectError(response, 400, ['password']);
  });

  it.each([
    ['zero', 0],
    ['a string', '1'],
    ['a fraction', 1.5],
  ])('refuses a roleId that is %s', async (_label, roleId) => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: uniqueName(), password: PASSWORD, roleId });
    expectError(response, 400, ['roleId']);
  });

  it('refuses unknown fields with 400, listing each of them', async () => {
    const response = await t.admin
      .post('/api/users')
      .send({ username: uniqueName(), password: PASSWORD, roleId: RIDER, isAdmin: true, id: 1 });
    expectError(response, 400, ['isAdmin', 'id']);
  });

  it('says which fields are missing', async () => {
    const response = await t.admin.post('/api/users').send({});
    expectError(response, 400);
    expect(response.body.details).toEqual(
      expect.arrayContaining([
        { field: 'username', message: 'username is required' },
        { field: 'password', message: 'password is required' },
        { field: 'roleId', message: 'roleId is required' },
      ]),
    );
  });

  it('refuses a roleId that names no role with 400 on roleId', async () => {
    const username = uniqueName('norole');
    const response = await t.admin
      .post('/api/users')
      .send({ username, password: PASSWORD, roleId: 987654 });
    expectError(response, 400, ['roleId']);
    expect((await listUsers({ search: username })).meta.total).toBe(0);
  });

  it('refuses with 409 a username already taken in another letter case', async () => {
    const taken = await createUser({ username: uniqueName('Taken') });

    const response = await t.admin
      .post('/api/users')
      .send({ username: taken.username.toUpperCase(), password: PASSWORD, roleId: DRIVER });
    expectError(response, 409, ['username']);
    expect((await listUsers({ search: taken.username })).meta.total).toBe(1);
  });

  it('lets exactly one of 20 same-name sign-ups in different letter cases through', async () => {
    counter += 1;
    const base = `racer${counter}`;
    const letters = [...base].map((character, index) => ({ character, index }));
    const variants = Array.from({ length: 20 }, (_, bits) =>
      letters
        .map(({ character, index }) =>
          (bits >> index) & 1 ? character.toUpperCase() : character.toLowerCase(),
        )
        .join(''),
    );
    expect(new Set(variants).size).toBe(20);

    const responses = await Promise.all(
      variants.map((username) =>
        t.admin.post('/api/users').send({ username, password: PASSWORD, roleId: RIDER }),
      ),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    for (const response of responses.filter((each) => each.status === 409)) {
      expectError(response, 409, ['username']);
    }
    const [rows] = await t.sequelize.query(
      `SELECT count(*)::int AS count FROM "Users" WHERE lower(username) = :name`,
      { replacements: { name: base } },
    );
    expect(rows).toEqual([{ count: 1 }]);
    expect((await listUsers({ search: base })).meta.total).toBe(1);
  });
});

describe('PATCH /api/users/:id', () => {
  it('renames a user, trimming the new name', async () => {
    const user = await createUser();
    const username = uniqueName('renamed');

    const response = await t.admin
      .patch(`/api/users/${user.id}`)
      .send({ username: ` ${username} ` })
      .expect(200);
    expect(response.body).toMatchObject({ id: user.id, username, roleId: user.roleId });
    expect((await t.admin.get(`/api/users/${user.id}`)).body.username).toBe(username);
  });

  it('lets a user change the letter case of their own username', async () => {
    const user = await createUser({ username: uniqueName('case') });

    const response = await t.admin
      .patch(`/api/users/${user.id}`)
      .send({ username: user.username.toUpperCase() })
      .expect(200);
    expect(response.body.username).toBe(user.username.toUpperCase());
  });

  it('moves a user to another role and shows the new role', async () => {
    const user = await createUser({ roleId: RIDER });

    const response = await t.admin
      .patch(`/api/users/${user.id}`)
      .send({ roleId: DRIVER })
      .expect(200);
    expect(response.body).toMatchObject({ roleId: DRIVER, role: { id: DRIVER, name: 'driver' } });
  });

  it('changes the password and leaves the hash out of the body', async () => {
    const user = await createUser();
    const before = await storedPasswordOf(user.id);

    const response = await t.admin
      .patch(`/api/users/${user.id}`)
      .send({ password: 'another long secret' })
      .expect(200);
    expectPublicUser(response.body);
    expect(response.text).not.toMatch(/argon2|another long secret/);
    const after = await storedPasswordOf(user.id);
    expect(after).toMatch(/^\$argon2id\$/);
    expect(after).not.toBe(before);
  });

  it('changes nothing when the body is empty', async () => {
    const user = await createUser();

    const response = await t.admin.patch(`/api/users/${user.id}`).send({}).expect(200);
    expect(response.body).toEqual(user);
  });

  it.each(['username', 'password', 'roleId'])('refuses null for %s', async (field) => {
    const user = await createUser();

    expectError(await t.admin.patch(`/api/users/${user.id}`).send({ [field]: null }), 400, [field]);
    expect((await t.admin.get(`/api/users/${user.id}`)).body).toEqual(user);
  });

  it.each([
    ['a username too short', { username: 'ab' }, 'username'],
    ['a username with a space', { username: 'a b c' }, 'username'],
    ['a password too short', { password: 'short' }, 'password'],
    ['an unknown field', { nickname: 'annie' }, 'nickname'],
  ])('refuses %s', async (_label, body, field) => {
    const user = await createUser();
    expectError(await t.admin.patch(`/api/users/${user.id}`).send(body), 400, [field]);
  });

  it('refuses a roleId that names no role with 400 on roleId', async () => {
    const user = await createUser();

    expectError(await t.admin.patch(`/api/users/${user.id}`).send({ roleId: 987654 }), 400, [
      'roleId',
    ]);
    expect((await t.admin.get(`/api/users/${user.id}`)).body.roleId).toBe(user.roleId);
  });

  it('answers 404 for a user that does not exist', async () => {
    expectError(await t.admin.patch('/api/users/987654').send({ username: uniqueName() }), 404);
    expectError(await t.admin.patch('/api/users/987654').send({}), 404);
  });

  it('answers 400 for an id that is not a positive integer', async () => {
    expectError(await t.admin.patch('/api/users/abc').send({ username: uniqueName() }), 400, [
      'id',
    ]);
  });

  it('refuses with 409 a rename to a name another user has in another letter case', async () => {
    const taken = await createUser({ username: uniqueName('owner') });
    const user = await createUser();

    const response = await t.admin
      .patch(`/api/users/${user.id}`)
      .send({ username: taken.username.toUpperCase() });
    expectError(response, 409, ['username']);
    expect((await t.admin.get(`/api/users/${user.id}`)).body.username).toBe(user.username);
  });
});

describe('DELETE /api/users/:id', () => {
  it('deletes a user with 204, after which the user is 404', async () => {
    const user = await createUser();

    const response = await t.admin.delete(`/api/users/${user.id}`).expect(204);
    expect(response.text).toBe('');
    expectError(await t.admin.get(`/api/users/${user.id}`), 404);
    expectError(await t.admin.delete(`/api/users/${user.id}`), 404);
  });

  it('frees the username for a new sign-up', async () => {
    const user = await createUser();
    await t.admin.delete(`/api/users/${user.id}`).expect(204);

    await createUser({ username: user.username });
  });

  it('answers 404 for a user that does not exist', async () => {
    expectError(await t.admin.delete('/api/users/987654'), 404);
  });

  it('answers 400 for an id that is not a positive integer', async () => {
    expectError(await t.admin.delete('/api/users/1.5'), 400, ['id']);
  });
});
