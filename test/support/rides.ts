import { io, type Socket } from 'socket.io-client';
import { QueryTypes } from 'sequelize';
import { TokenService } from '../../src/auth/token.service';
import { DEFAULT_SERVICE_TYPE, DRIVER_ROLE_ID, RIDER_ROLE_ID } from '../../src/common/built-ins';
import { type Account, bearer, uniquePlate, uniqueUsername } from './accounts';
import type { TestApp } from './app';

/** Factories for rides, fast drivers and riders, and realtime clients. */

export const RIDER_ROLE = RIDER_ROLE_ID;
export const DRIVER_ROLE = DRIVER_ROLE_ID;

/** San Francisco, the default pickup. */
export const SF = { latitude: 37.7749, longitude: -122.4194 };
/** Oakland, the default destination (about 13.4 km from SF as the crow flies). */
export const OAKLAND = { latitude: 37.8044, longitude: -122.2712 };

export interface LatLng {
  latitude: number;
  longitude: number;
}

let areas = 0;

/**
 * A point about 11 km from the last 399 handed out in this file (a 20 × 20 grid around SF). A new
 * ride is offered to every free driver within 5 km of its pickup: tests that leave drivers online
 * would otherwise pile them up at one point, and each ride would be offered to all of them.
 */
export function freshArea(): LatLng {
  const cell = areas % 400;
  areas += 1;
  return {
    latitude: SF.latitude - 1 + (cell % 20) * 0.1,
    longitude: SF.longitude - 1.3 + Math.floor(cell / 20) * 0.13,
  };
}

/** The default trip (SF → Oakland), moved as a whole to start at `pickup`. */
export function tripFrom(pickup: LatLng): Partial<RideBody> {
  return {
    pickupLatitude: pickup.latitude,
    pickupLongitude: pickup.longitude,
    destinationLatitude: OAKLAND.latitude + pickup.latitude - SF.latitude,
    destinationLongitude: OAKLAND.longitude + pickup.longitude - SF.longitude,
  };
}

export interface RideBody {
  pickupLatitude: number;
  pickupLongitude: number;
  pickupAddress: string;
  destinationLatitude: number;
  destinationLongitude: number;
  destinationAddress: string;
  serviceTypeId?: number;
  serviceType?: string;
}

export function rideBody(overrides: Partial<RideBody> = {}): RideBody {
  return {
    pickupLatitude: SF.latitude,
    pickupLongitude: SF.longitude,
    pickupAddress: '1 Market St, San Francisco',
    destinationLatitude: OAKLAND.latitude,
    destinationLongitude: OAKLAND.longitude,
    destinationAddress: '2 Broadway, Oakland',
    ...overrides,
  };
}

/**
 * Users written straight to the database with a password nobody can log in with, and a token
 * signed by the app's own TokenService: many accounts in milliseconds, for races and geography.
 * (Accounts made through the API are in ./accounts.)
 */
export async function insertUser(t: TestApp, roleId: number, stem = 'user'): Promise<Account> {
  const username = uniqueUsername(stem);
  const [row] = await t.sequelize.query<{ id: number }>(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     VALUES (:username, '!', :roleId, now(), now()) RETURNING id`,
    { replacements: { username, roleId }, type: QueryTypes.SELECT },
  );
  const accessToken = t.app.get(TokenService).signAccessToken({ id: row.id, roleId });
  return { id: row.id, username, password: '!', roleId, accessToken, refreshToken: '' };
}

export const insertRider = (t: TestApp) => insertUser(t, RIDER_ROLE, 'rider');

export interface DriverOptions {
  serviceTypeId?: number;
  online?: boolean;
  /** A position reported now (implies online). */
  at?: { latitude: number; longitude: number };
  /** How long ago the position was reported, in seconds (default 0). */
  reportedSecondsAgo?: number;
}

/** A driver with a vehicle, optionally online at a position, written straight to the database. */
export async function insertDriver(t: TestApp, options: DriverOptions = {}): Promise<Account> {
  const account = await insertUser(t, DRIVER_ROLE, 'driver');
  await t.sequelize.query(
    `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline", "serviceTypeId",
       latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
     VALUES (:userId, 'Toyota', 'Prius', :plate, :online, :serviceTypeId, :latitude, :longitude,
       CASE WHEN CAST(:latitude AS DOUBLE PRECISION) IS NULL THEN NULL
            ELSE now() - make_interval(secs => :ago) END,
       now(), now())`,
    {
      replacements: {
        userId: account.id,
        plate: uniquePlate(),
        online: options.online ?? options.at !== undefined,
        serviceTypeId: options.serviceTypeId ?? DEFAULT_SERVICE_TYPE.id,
        latitude: options.at?.latitude ?? null,
        longitude: options.at?.longitude ?? null,
        ago: options.reportedSecondsAgo ?? 0,
      },
    },
  );
  return account;
}

/** POST /api/rides as this rider; returns the response (status not checked). */
export function requestRide(t: TestApp, rider: Account, overrides: Partial<RideBody> = {}) {
  return t.http.post('/api/rides').set('Authorization', bearer(rider)).send(rideBody(overrides));
}

/** A REQUESTED ride of this rider; fails the test if the request is refused. */
export async function createRide(
  t: TestApp,
  rider: Account,
  overrides: Partial<RideBody> = {},
): Promise<number> {
  const response = await requestRide(t, rider, overrides);
  if (response.status !== 201) {
    throw new Error(`POST /api/rides: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.ride.id as number;
}

/** POST /api/rides/:id/<action> as this account. */
export function rideAction(
  t: TestApp,
  account: Account | string,
  rideId: number,
  action: string,
  body: object = {},
) {
  const token = typeof account === 'string' ? account : account.accessToken;
  return t.http
    .post(`/api/rides/${rideId}/${action}`)
    .set('Authorization', `Bearer ${token}`)
    .send(body);
}

export function putLocation(
  t: TestApp,
  driver: Account,
  position: { latitude: number; longitude: number },
) {
  return t.http.put('/api/drivers/me/location').set('Authorization', bearer(driver)).send(position);
}

/** The ride's row as stored. */
export async function storedRide(t: TestApp, rideId: number): Promise<Record<string, unknown>> {
  const [row] = await t.sequelize.query<Record<string, unknown>>(
    `SELECT * FROM "RideRequests" WHERE id = :rideId`,
    { replacements: { rideId }, type: QueryTypes.SELECT },
  );
  return row;
}

/** A connected `/realtime` client; rejects with the server's reason if refused. */
export function connectRealtime(baseUrl: string, token: string | undefined): Promise<Socket> {
  const socket = io(`${baseUrl}/realtime`, {
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** The next `event` on this socket, or a rejection after `ms`. */
export function nextEvent<T = unknown>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}
