import type { Socket } from 'socket.io-client';
import { Dispatcher } from '../../src/rides/dispatch/dispatcher';
import { type Account, bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  connectRealtime,
  freshArea,
  insertDriver,
  insertRider,
  type LatLng,
  nextEvent,
  rideAction,
  requestRide,
  tripFrom,
} from '../support/rides';

/**
 * Ranked dispatch (the default) over HTTP and Socket.IO. The dispatcher's timer is off: a request
 * is offered inside the request (no window in tests), and the tests run the dispatcher with a
 * clock of their choosing to make offers lapse without waiting for them.
 */

const north = (from: LatLng, metres: number): LatLng => ({
  latitude: from.latitude + metres / 111_195,
  longitude: from.longitude,
});

interface Offered {
  ride: { id: number; distanceKm: number };
  expiresAt: string;
}

let t: TestApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ DISPATCH_TICK_MS: '0' });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => t.close());

async function socketOf(account: Account): Promise<Socket> {
  const socket = await connectRealtime(t.baseUrl, account.accessToken);
  sockets.push(socket);
  return socket;
}

/** Drivers online `metres` north of the pickup, nearest first. */
async function driversNear(pickup: LatLng, ...metres: number[]): Promise<Account[]> {
  const drivers = [];
  for (const m of metres) drivers.push(await insertDriver(t, { at: north(pickup, m) }));
  return drivers;
}

async function request(rider: Account, pickup: LatLng): Promise<number> {
  const response = await requestRide(t, rider, tripFrom(pickup));
  expect(response.status).toBe(201);
  return response.body.ride.id as number;
}

const openRides = (driver: Account) =>
  t.http.get('/api/rides/open').set('Authorization', bearer(driver));

/** One run of the dispatcher `seconds` from now: offers made before then have lapsed. */
const runDispatcherIn = (seconds: number) =>
  t.app.get(Dispatcher).run({ now: new Date(Date.now() + seconds * 1000) });

describe('a new request', () => {
  it('is offered, before the response, to its three nearest drivers with the offer’s expiry', async () => {
    const pickup = freshArea();
    const drivers = await driversNear(pickup, 100, 200, 300, 400);
    const sockets = await Promise.all(drivers.slice(0, 3).map(socketOf));
    const offers = sockets.map((socket) => nextEvent<Offered>(socket, 'ride.offered'));
    const before = Date.now();
    const rideId = await request(await insertRider(t), pickup);

    for (const offer of await Promise.all(offers)) {
      expect(offer.ride.id).toBe(rideId);
      const expiresAt = Date.parse(offer.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 14_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15_000);
    }
    const open = await openRides(drivers[0]).expect(200);
    expect(open.body).toEqual([
      expect.objectContaining({ id: rideId, distanceKm: 0.1, offerExpiresAt: expect.any(String) }),
    ]);
    expect((await openRides(drivers[3]).expect(200)).body).toEqual([]);
  });

  it('may be accepted only by a driver it was offered to; the others are told it is taken', async () => {
    const pickup = freshArea();
    const [first, second, third, fourth] = await driversNear(pickup, 100, 200, 300, 400);
    const rideId = await request(await insertRider(t), pickup);
    const taken = [first, third].map(async (driver) =>
      nextEvent<{ rideId: number; status: string }>(await socketOf(driver), 'ride.taken'),
    );

    const refused = await rideAction(t, fourth, rideId, 'accept');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(`Ride ${rideId} was not offered to you`);
    const accepted = await rideAction(t, second, rideId, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body.ride).toMatchObject({ status: 'ACCEPTED', driverId: second.id });

    for (const event of await Promise.all(taken)) {
      expect(event).toEqual({ rideId, status: 'ACCEPTED' });
    }
    expect((await rideAction(t, first, rideId, 'accept')).status).toBe(409);
  });

  it('offers a driver wanted by two requests at once only one of them', async () => {
    const pickup = freshArea();
    const [driver] = await driversNear(pickup, 0);
    const [a, b] = [await insertRider(t), await insertRider(t)];
    const [rideA, rideB] = await Promise.all([
      request(a, north(pickup, 300)),
      request(b, north(pickup, -300)),
    ]);
    const open = (await openRides(driver).expect(200)).body as { id: number }[];
    expect(open).toHaveLength(1);
    expect([rideA, rideB]).toContain(open[0].id);
  });
});

describe('POST /api/rides/:id/decline', () => {
  it('ends the offer at once and sends the next batch when the whole batch has declined', async () => {
    const pickup = freshArea();
    const drivers = await driversNear(pickup, 100, 200, 300, 400);
    const rideId = await request(await insertRider(t), pickup);
    const nextOffer = nextEvent<Offered>(await socketOf(drivers[3]), 'ride.offered');

    for (const driver of drivers.slice(0, 3)) {
      const response = await rideAction(t, driver, rideId, 'decline');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ success: true, message: `You declined ride ${rideId}` });
    }
    expect((await nextOffer).ride.id).toBe(rideId);
    expect((await openRides(drivers[0]).expect(200)).body).toEqual([]);
    expect((await rideAction(t, drivers[0], rideId, 'accept')).body.message).toMatch(
      /no longer open \(declined\)/,
    );
  });

  it('answers 409 to a second decline, 404 to a driver never offered the ride, 403 to a rider', async () => {
    const pickup = freshArea();
    const [offered] = await driversNear(pickup, 100);
    const [stranger] = await driversNear(freshArea(), 0);
    const rider = await insertRider(t);
    const rideId = await request(rider, pickup);

    expect((await rideAction(t, offered, rideId, 'decline')).status).toBe(200);
    const again = await rideAction(t, offered, rideId, 'decline');
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/no longer open/);
    expect((await rideAction(t, stranger, rideId, 'decline')).status).toBe(404);
    expect((await rideAction(t, stranger, 999_999, 'decline')).status).toBe(404);
    expect((await rideAction(t, rider, rideId, 'decline')).status).toBe(403);
  });
});

describe('an offer left unanswered', () => {
  it('lapses: the driver is told the ride is gone, and may no longer accept it', async () => {
    const pickup = freshArea();
    const [driver] = await driversNear(pickup, 100);
    const rideId = await request(await insertRider(t), pickup);
    const gone = nextEvent<{ rideId: number; status: string }>(
      await socketOf(driver),
      'ride.taken',
    );

    await runDispatcherIn(16);
    expect(await gone).toEqual({ rideId, status: 'REQUESTED' });
    const refused = await rideAction(t, driver, rideId, 'accept');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(`Your offer for ride ${rideId} has expired`);
    const declined = await rideAction(t, driver, rideId, 'decline');
    expect(declined.status).toBe(409);
    expect(declined.body.message).toBe(`Your offer for ride ${rideId} has expired`);
  });

  it('three times in a row sets the driver offline, says why, and shows in their standing', async () => {
    const pickup = freshArea();
    const [driver] = await driversNear(pickup, 100);
    const socket = await socketOf(driver);
    const offline = nextEvent<{ isOnline: boolean; reason: string; message: string }>(
      socket,
      'driver.status',
      10_000,
    );
    for (let i = 0; i < 3; i++) {
      const offered = nextEvent<Offered>(socket, 'ride.offered');
      const rideId = await request(await insertRider(t), pickup);
      expect((await offered).ride.id).toBe(rideId);
      // Lapse it now; the rider's ride then waits for other drivers.
      await runDispatcherIn(16 * (i + 1));
    }
    expect(await offline).toEqual({
      isOnline: false,
      reason: 'missed_offers',
      message: expect.stringMatching(/3 ride offers in a row/),
    });
    const me = await t.http.get('/api/drivers/me').set('Authorization', bearer(driver)).expect(200);
    expect(me.body).toMatchObject({
      isOnline: false,
      standing: {
        windowDays: 30,
        offers: 3,
        accepted: 0,
        declined: 0,
        expired: 3,
        acceptanceRate: 0,
        releases: 0,
        releaseRate: null,
      },
    });
  });
});
