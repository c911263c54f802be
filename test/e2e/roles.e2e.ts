import type { Response } from 'supertest';
import { createTestApp, type TestApp } from '../support/app';

/** Black-box tests of /api/roles: listing with user counts, one role's users, and the guards. */

const RIDER = 1;
const DRIVER = 2;
const ADMIN = 3;
const BUILT_IN = [
  { id: RIDER, name: 'rider' },
  { id: DRIVER, name: 'driver' },
  { id: ADMIN, name: 'admin' },
];

interface RoleBody {
  id: number;
  name: string;
  userCount: number;
  createdAt: string;
  updatedAt: string;
}

interface PageMeta {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

interface UserBody {
  id: number;
  username: string;
  roleId: number;
  role: { id: number; name: string };
}

interface RoleDetailBody extends RoleBody {
  users: { data: UserBody[]; meta: PageMeta };
}

let t: TestApp;
let counter = 0;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function uniqueName(prefix = 'team'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

async function createRole(name = uniqueName()): Promise<RoleBody> {
  const response = await t.admin.post('/api/roles').send({ name });
  expect(response.status).toBe(201);
  return response.body as RoleBody;
}

async function createUser(roleId: number): Promise<UserBody> {
  const response = await t.admin
    .post('/api/users')
    .send({ username: uniqueName('member'), password: 'correct horse battery', roleId });
  expect(response.status).toBe(201);
  return response.body as UserBody;
}

async function allRoles(): Promise<RoleBody[]> {
  const response = await t.admin.get('/api/roles').query({ limit: 100 }).expect(200);
  return (response.body as { data: RoleBody[] }).data;
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

describe('GET /api/roles', () => {
  it('lists the built-in rider, driver and admin roles with their fixed ids', async () => {
    const roles = await allRoles();
    expect(roles.slice(0, 3).map(({ id, name }) => ({ id, name }))).toEqual(BUILT_IN);
  });

  it('shows how many users each role has', async () => {
    const role = await createRole();
    await createUser(role.id);
    await createUser(role.id);
    const empty = await createRole();

    const roles = await allRoles();
    expect(roles.find((each) => each.id === role.id)).toMatchObject({
      name: role.name,
      userCount: 2,
    });
    expect(roles.find((each) => each.id === empty.id)).toMatchObject({ userCount: 0 });
    for (const each of roles) expect(Number.isInteger(each.userCount)).toBe(true);
  });

  it('pages the roles with page, limit, total and totalPages', async () => {
    await createRole();
    const all = await allRoles();

    const response = await t.admin.get('/api/roles').query({ limit: 2, page: 2 }).expect(200);
    expect(response.body.data.map((role: RoleBody) => role.id)).toEqual(
      all.slice(2, 4).map((role) => role.id),
    );
    expect(response.body.meta).toEqual({
      page: 2,
      limit: 2,
      total: all.length,
      totalPages: Math.ceil(all.length / 2),
    });
  });

  it.each([{ limit: '0' }, { page: '0' }, { limit: 'abc' }])(
    'refuses the paging %o with 400',
    async (query) => {
      expectError(await t.admin.get('/api/roles').query(query), 400, Object.keys(query));
    },
  );
});

describe('GET /api/roles/:id', () => {
  it('shows a role with its user count and a page of its users', async () => {
    const role = await createRole();
    const members = [
      await createUser(role.id),
      await createUser(role.id),
      await createUser(role.id),
    ];
    await createUser(RIDER);

    const first = await t.admin.get(`/api/roles/${role.id}`).query({ limit: 2 }).expect(200);
    const body = first.body as RoleDetailBody;
    expect(body).toMatchObject({ id: role.id, name: role.name, userCount: 3 });
    expect(body.users.data.map((user) => user.id)).toEqual(members.slice(0, 2).map((u) => u.id));
    expect(body.users.meta).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    for (const user of body.users.data) {
      expect(user.role).toEqual({ id: role.id, name: role.name });
      expect(user).not.toHaveProperty('password');
    }

    const second = await t.admin
      .get(`/api/roles/${role.id}`)
      .query({ limit: 2, page: 2 })
      .expect(200);
    expect((second.body as RoleDetailBody).users.data.map((user) => user.id)).toEqual([
      members[2].id,
    ]);
  });

  it('shows a role nobody has with an empty page of users', async () => {
    const role = await createRole();

    const response = await t.admin.get(`/api/roles/${role.id}`).expect(200);
    expect(response.body).toMatchObject({
      id: role.id,
      userCount: 0,
      users: { data: [], meta: { page: 1, limit: 20, total: 0, totalPages: 0 } },
    });
  });

  it('caps the page of users at 100', async () => {
    const response = await t.admin.get(`/api/roles/${RIDER}`).query({ limit: 500 }).expect(200);
    expect(response.body.users.meta.limit).toBe(100);
  });

  it('answers 404 for a role that does not exist', async () => {
    expectError(await t.admin.get('/api/roles/987654'), 404);
  });

  it.each(['abc', '0', '1.5', '99999999999'])('refuses the id %s with 400', async (id) => {
    expectError(await t.admin.get(`/api/roles/${id}`), 400, ['id']);
  });
});

describe('POST /api/roles', () => {
  it('creates a role with 201, its name trimmed and in lower case', async () => {
    const name = uniqueName('dispatcher');

    const response = await t.admin
      .post('/api/roles')
      .send({ name: `  ${name.toUpperCase()} ` })
      .expect(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      name,
      userCount: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(response.body.id).toBeGreaterThan(ADMIN);
    await t.admin.get(`/api/roles/${response.body.id}`).expect(200);
  });

  it('refuses with 409 a name that exists in another letter case', async () => {
    const role = await createRole();

    expectError(await t.admin.post('/api/roles').send({ name: role.name.toUpperCase() }), 409, [
      'name',
    ]);
    expectError(await t.admin.post('/api/roles').send({ name: 'Driver' }), 409, ['name']);
    const named = (await allRoles()).filter((each) => each.name === role.name);
    expect(named).toHaveLength(1);
  });

  it.each([
    ['a name of one letter', 'a'],
    ['a name of 33 letters', 'a'.repeat(33)],
    ['a name starting with a digit', '1st-line'],
    ['a name with a space inside', 'night shift'],
    ['a name with a dot', 'night.shift'],
    ['a name with a non-ASCII letter', 'fahrer-ü'],
    ['a name of only spaces', '   '],
    ['a name that is a number', 42],
    ['a null name', null],
  ])('refuses %s with 400', async (_label, name) => {
    expectError(await t.admin.post('/api/roles').send({ name }), 400, ['name']);
  });

  it('says the name is required when it is missing', async () => {
    const response = await t.admin.post('/api/roles').send({});
    expectError(response, 400);
    expect(response.body.details).toEqual([{ field: 'name', message: 'name is required' }]);
  });

  it('refuses unknown fields with 400', async () => {
    expectError(await t.admin.post('/api/roles').send({ name: uniqueName(), id: 99 }), 400, ['id']);
  });
});

describe('PATCH /api/roles/:id', () => {
  it('renames a role, normalising the new name to lower case', async () => {
    const role = await createRole();
    const name = uniqueName('renamed');

    const response = await t.admin
      .patch(`/api/roles/${role.id}`)
      .send({ name: ` ${name.toUpperCase()}` })
      .expect(200);
    expect(response.body).toMatchObject({ id: role.id, name, userCount: 0 });
    expect((await t.admin.get(`/api/roles/${role.id}`)).body.name).toBe(name);
  });

  it('shows the new name on the users of the renamed role', async () => {
    const role = await createRole();
    const member = await createUser(role.id);
    const name = uniqueName('renamed');

    await t.admin.patch(`/api/roles/${role.id}`).send({ name }).expect(200);
    const user = await t.admin.get(`/api/users/${member.id}`).expect(200);
    expect(user.body.role).toEqual({ id: role.id, name });
  });

  it.each(BUILT_IN)('refuses with 409 to rename the built-in role $name', async ({ id, name }) => {
    expectError(await t.admin.patch(`/api/roles/${id}`).send({ name: uniqueName() }), 409);
    expect((await t.admin.get(`/api/roles/${id}`)).body.name).toBe(name);
  });

  it('refuses with 409 a rename to a name another role has in another letter case', async () => {
    const taken = await createRole();
    const role = await createRole();

    const response = await t.admin
      .patch(`/api/roles/${role.id}`)
      .send({ name: taken.name.toUpperCase() });
    expectError(response, 409, ['name']);
    expect((await t.admin.get(`/api/roles/${role.id}`)).body.name).toBe(role.name);
  });

  it('refuses an invalid name with 400', async () => {
    const role = await createRole();
    expectError(await t.admin.patch(`/api/roles/${role.id}`).send({ name: 'x' }), 400, ['name']);
    expectError(await t.admin.patch(`/api/roles/${role.id}`).send({}), 400, ['name']);
  });

  it('answers 404 for a role that does not exist', async () => {
    expectError(await t.admin.patch('/api/roles/987654').send({ name: uniqueName() }), 404);
  });

  it('answers 400 for an id that is not a positive integer', async () => {
    expectError(await t.admin.patch('/api/roles/abc').send({ name: uniqueName() }), 400, ['id']);
  });
});

describe('DELETE /api/roles/:id', () => {
  it('deletes a role nobody has with 204, after which the role is 404', async () => {
    const role = await createRole();

    const response = await t.admin.delete(`/api/roles/${role.id}`).expect(204);
    expect(response.text).toBe('');
    expectError(await t.admin.get(`/api/roles/${role.id}`), 404);
    expectError(await t.admin.delete(`/api/roles/${role.id}`), 404);
  });

  it('refuses with 409 to delete a role users still have, and deletes nothing', async () => {
    const role = await createRole();
    const members = [await createUser(role.id), await createUser(role.id)];

    expectError(await t.admin.delete(`/api/roles/${role.id}`), 409);

    const after = await t.admin.get(`/api/roles/${role.id}`).expect(200);
    expect(after.body).toMatchObject({ id: role.id, name: role.name, userCount: 2 });
    for (const member of members) {
      const user = await t.admin.get(`/api/users/${member.id}`).expect(200);
      expect(user.body.role).toEqual({ id: role.id, name: role.name });
    }
  });

  it('deletes a role once its last user has moved to another role', async () => {
    const role = await createRole();
    const member = await createUser(role.id);

    await t.admin.patch(`/api/users/${member.id}`).send({ roleId: RIDER }).expect(200);
    await t.admin.delete(`/api/roles/${role.id}`).expect(204);
  });

  it.each(BUILT_IN)('refuses with 409 to delete the built-in role $name', async ({ id, name }) => {
    expectError(await t.admin.delete(`/api/roles/${id}`), 409);
    expect((await t.admin.get(`/api/roles/${id}`)).body.name).toBe(name);
  });

  it('answers 404 for a role that does not exist', async () => {
    expectError(await t.admin.delete('/api/roles/987654'), 404);
  });

  it('answers 400 for an id that is not a positive integer', async () => {
    expectError(await t.admin.delete('/api/roles/0'), 400, ['id']);
  });
});
