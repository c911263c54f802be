import { DRIVER_ROLE_ID, RIDER_ROLE_ID } from '../../src/common/built-ins';
import type { TestApp } from './app';

let counter = 0;

/** A username no other test of this run uses. */
export function uniqueUsername(stem = 'user'): string {
  counter += 1;
  return `${stem}-${process.pid}-${counter}`;
}

/** A licence plate no other test of this run uses. */
export function uniquePlate(): string {
  counter += 1;
  return `T${process.pid % 1000}-${counter}`;
}

export interface Account {
  id: number;
  username: string;
  password: string;
  roleId: number;
  accessToken: string;
  refreshToken: string;
}

export const PASSWORD = 'correct horse battery';

export async function login(t: TestApp, username: string, password = PASSWORD): Promise<Account> {
  const response = await t.http.post('/api/auth/login').send({ username, password }).expect(200);
  return {
    id: response.body.userId,
    username,
    password,
    roleId: response.body.roleId,
    accessToken: response.body.accessToken,
    refreshToken: response.body.refreshToken,
  };
}

/** Registers a rider through the API and logs them in. */
export async function createRider(
  t: TestApp,
  username = uniqueUsername('rider'),
): Promise<Account> {
  await t.http
    .post('/api/auth/register')
    .send({ username, password: PASSWORD, roleId: RIDER_ROLE_ID })
    .expect(201);
  return login(t, username);
}

/** Registers a driver (with a vehicle) through the API and logs them in. */
export async function createDriver(
  t: TestApp,
  options: { username?: string; serviceTypeId?: number; online?: boolean } = {},
): Promise<Account> {
  const username = options.username ?? uniqueUsername('driver');
  await t.http
    .post('/api/auth/register')
    .send({
      username,
      password: PASSWORD,
      roleId: DRIVER_ROLE_ID,
      make: 'Toyota',
      model: 'Prius',
      licensePlate: uniquePlate(),
      ...(options.serviceTypeId !== undefined && { serviceTypeId: options.serviceTypeId }),
    })
    .expect(201);
  const account = await login(t, username);
  if (options.online) {
    await t.http
      .patch('/api/drivers/me/update-status')
      .set('Authorization', `Bearer ${account.accessToken}`)
      .send({ isOnline: true })
      .expect(200);
  }
  return account;
}

export const bearer = (account: { accessToken: string }) => `Bearer ${account.accessToken}`;
