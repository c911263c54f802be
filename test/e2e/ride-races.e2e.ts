import { QueryTypes } from 'sequelize';
import type { Response } from 'supertest';
import { type Account, bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  createRide,
  insertDriver,
  insertRider,
  requestRide,
  rideAction,
  SF,
  storedRide,
} from '../support/rides';

/**
 * Races on rides: many requests for the same decision at once, each scenario repeated for many
 * rounds, so that an unguarded read-then-write would show up as two winners, a 500 or a row whose
 * state disagrees with what the callers were told.
 */

let t: TestApp;

beforeAll(async () => {
  // Races between accepts of drivers who all saw the ride (broadcast); ranked dispatch has its own
  // races in dispatch.e2e-spec.ts.
  t = await createTestApp({ DISPATCH_MODE: 'broadcast' });
});
afterAll(() => t.close());

const ASSIGNED = ['ACCEPTED', 'ARRIVING', 'IN_PROGRESS'];
const ACTIVE = ['REQUESTED', ...ASSIGNED];

/** Status codes of the responses, sorted, so a failure shows every outcome at once. */
const codes = (responses: Response[]) => responses.map((r) => r.status).sort((a, b) => a - b);

/** Sends every request at the same time (each starts as soon as it is awaited). */
const race = (requests: PromiseLike<Response>[]) => Promise.all(requests);

function expectConflict(response: Response, message: string | RegExp) {
  const expected = typeof message === 'string' ? message : message.source;
  const code = /already been taken/.test(expected)
    ? 'RIDE_ALREADY_TAKEN'
    : /; only a/.test(expected)
      ? 'RIDE_STATE_CONFLICT'
      : 'CONFLICT';
  expect(response.status).toBe(409);
  expect(response.body).toMatchObject({ success: false, statusCode: 409, error: 'Conflict', code });
  if (typeof message === 'string') expect(response.body.message).toBe(message);
  else expect(response.body.message).toMatch(message);
}

function getRide(account: Account, rideId: number) {
  return t.http.get(`/api/rides/${rideId}`).set('Authorization', bearer(account));
}

async function activeRideOf(account: Account): Promise<{ id: number; status: string } | null> {
  const response = await t.http.get('/api/rides/me/active').set('Authorization', bearer(account));
  expect(response.status).toBe(200);
  return response.body.ride;
}

async function rowsWhere(column: 'riderId' | 'driverId', userId: number, statuses: string[]) {
  return t.sequelize.query<{ id: number; status: string; driverId: number | null }>(
    `SELECT id, status, "driverId" FROM "RideRequests"
     WHERE "${column}" = :userId AND status IN (:statuses) ORDER BY id`,
    { replacements: { userId, statuses }, type: QueryTypes.SELECT },
  );
}

async function expectOk(response: PromiseLike<Response>, status = 200) {
  const settled = await response;
  expect({ status: settled.status, body: settled.body }).toMatchObject({ status });
  return settled;
}

/** Takes the ride through these steps as its driver, checking each one. */
async function drive(driver: Account, rideId: number, steps: string[]) {
  for (const step of steps) await expectOk(rideAction(t, driver, rideId, step));
}

/**
 * A stored ride's timeline is in the order things happened to it: `earlier` was set no later than
 * `later`. (Shows both times on failure.)
 */
function expectInOrder(row: Record<string, unknown>, earlier: string, later: string) {
  const times = { [earlier]: row[earlier] as Date, [later]: row[later] as Date };
  const inOrder = times[earlier].getTime() <= times[later].getTime();
  expect({ ...times, inOrder }).toEqual({ ...times, inOrder: true });
}

describe('many drivers accepting one ride', () => {
  const DRIVERS = 50;
  const ROUNDS = 12;

  it(`lets exactly one of ${DRIVERS} drivers accept a ride, round after round`, async () => {
    const rider = await insertRider(t);
    const drivers: Account[] = [];
    for (let i = 0; i < DRIVERS; i++) drivers.push(await insertDriver(t, { at: SF }));

    for (let round = 0; round < ROUNDS; round++) {
      const rideId = await createRide(t, rider);
      const responses = await race(drivers.map((d) => rideAction(t, d, rideId, 'accept')));

      expect(codes(responses)).toEqual([200, ...Array<number>(DRIVERS - 1).fill(409)]);
      const winnerIndex = responses.findIndex((r) => r.status === 200);
      const winner = drivers[winnerIndex];
      expect(responses[winnerIndex].body.ride).toMatchObject({
        id: rideId,
        status: 'ACCEPTED',
        driverId: winner.id,
        driver: { id: winner.id, username: winner.username },
      });
      for (const loser of responses.filter((r) => r.status !== 200)) {
        expectConflict(loser, `Ride ${rideId} has already been taken by another driver`);
      }

      const seen = await getRide(rider, rideId);
      expect(seen.status).toBe(200);
      expect(seen.body.ride).toMatchObject({
        status: 'ACCEPTED',
        driverId: winner.id,
        driver: { id: winner.id, username: winner.username },
      });
      const row = await storedRide(t, rideId);
      expect(row).toMatchObject({ status: 'ACCEPTED', driverId: winner.id });
      expect(row.acceptedAt).not.toBeNull();
      expect((await activeRideOf(winner))?.id).toBe(rideId);
      const someLoser = drivers[(winnerIndex + 1) % DRIVERS];
      expect(await activeRideOf(someLoser)).toBeNull();

      // The rider calls it off, so every driver is free for the next round.
      await expectOk(rideAction(t, rider, rideId, 'cancel'));
      expect(await activeRideOf(winner)).toBeNull();
    }

    // Every driver is free again: none holds an assigned ride.
    const [{ assigned }] = await t.sequelize.query<{ assigned: number }>(
      `SELECT count(*)::int AS assigned FROM "RideRequests"
       WHERE "driverId" IN (:ids) AND status IN (:statuses)`,
      {
        replacements: { ids: drivers.map((d) => d.id), statuses: ASSIGNED },
        type: QueryTypes.SELECT,
      },
    );
    expect(assigned).toBe(0);
  });
});

describe('one driver accepting two rides at once', () => {
  it('lets the driver take only one of two rides requested by two riders', async () => {
    const driver = await insertDriver(t, { at: SF });
    const riders = [await insertRider(t), await insertRider(t)];

    for (let round = 0; round < 15; round++) {
      const rideIds = [await createRide(t, riders[0]), await createRide(t, riders[1])];
      // Alternate which request leaves first.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      const settled = await race(order.map((i) => rideAction(t, driver, rideIds[i], 'accept')));
      const responses = order.map((_, k) => settled[order.indexOf(k)]);

      expect(codes(responses)).toEqual([200, 409]);
      const won = responses.findIndex((r) => r.status === 200);
      const lost = 1 - won;
      expect(responses[won].body.ride).toMatchObject({ id: rideIds[won], driverId: driver.id });
      expectConflict(responses[lost], `You already have an active ride (ride ${rideIds[won]})`);

      const assigned = await rowsWhere('driverId', driver.id, ASSIGNED);
      expect(assigned).toEqual([{ id: rideIds[won], status: 'ACCEPTED', driverId: driver.id }]);
      expect(await storedRide(t, rideIds[lost])).toMatchObject({
        status: 'REQUESTED',
        driverId: null,
        acceptedAt: null,
      });
      expect((await activeRideOf(driver))?.id).toBe(rideIds[won]);

      for (const [i, rider] of riders.entries()) {
        await expectOk(rideAction(t, rider, rideIds[i], 'cancel'));
      }
    }
  });
});

describe('a rider requesting several rides at once', () => {
  it.each([2, 5])('creates exactly one of %i simultaneous requests', async (count) => {
    const rider = await insertRider(t);

    for (let round = 0; round < 10; round++) {
      const responses = await race(Array.from({ length: count }, () => requestRide(t, rider)));

      expect(codes(responses)).toEqual([201, ...Array<number>(count - 1).fill(409)]);
      const winner = responses.find((r) => r.status === 201)!;
      const rideId = winner.body.ride.id as number;
      expect(winner.body.ride).toMatchObject({ status: 'REQUESTED', riderId: rider.id });
      for (const loser of responses.filter((r) => r !== winner)) {
        expectConflict(loser, `You already have an active ride (ride ${rideId}, REQUESTED)`);
      }

      expect(await rowsWhere('riderId', rider.id, ACTIVE)).toEqual([
        { id: rideId, status: 'REQUESTED', driverId: null },
      ]);
      expect((await activeRideOf(rider))?.id).toBe(rideId);

      await expectOk(rideAction(t, rider, rideId, 'cancel'));
      expect(await rowsWhere('riderId', rider.id, ACTIVE)).toEqual([]);
    }
  });
});

describe('the rider cancelling while a driver accepts', () => {
  it('ends in a state that matches what both callers were told', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });

    for (let round = 0; round < 20; round++) {
      const rideId = await createRide(t, rider);
      const cancelRequest = rideAction(t, rider, rideId, 'cancel', { reason: 'changed my mind' });
      const acceptRequest = rideAction(t, driver, rideId, 'accept');
      const [cancel, accept] =
        round % 2 === 0
          ? await race([cancelRequest, acceptRequest])
          : (await race([acceptRequest, cancelRequest])).reverse();

      // Neither a 500 nor two refusals; and a cancel applies both to a REQUESTED and to an
      // ACCEPTED ride, so whichever order the two writes take, the cancel goes through.
      expect([cancel.status, accept.status]).not.toEqual([409, 409]);
      expect({ cancel: cancel.status, accept: [200, 409].includes(accept.status) }).toEqual({
        cancel: 200,
        accept: true,
      });

      const row = await storedRide(t, rideId);
      expect(row).toMatchObject({
        status: 'CANCELLED',
        cancelledBy: 'rider',
        cancelReason: 'changed my mind',
      });
      expect(cancel.body.ride).toMatchObject({
        id: rideId,
        status: 'CANCELLED',
        cancelledBy: 'rider',
      });

      if (accept.status === 200) {
        // The accept came first: the cancel then found an ACCEPTED ride and kept its driver.
        expect(accept.body.ride).toMatchObject({ status: 'ACCEPTED', driverId: driver.id });
        expect(cancel.body.ride).toMatchObject({
          driverId: driver.id,
          driver: { id: driver.id },
        });
        expect(row.driverId).toBe(driver.id);
        expect(row.acceptedAt).not.toBeNull();
        expectInOrder(row, 'acceptedAt', 'cancelledAt');
        const asDriver = await getRide(driver, rideId);
        expect(asDriver.status).toBe(200);
        expect(asDriver.body.ride).toMatchObject({
          status: 'CANCELLED',
          driver: { location: null },
        });
      } else {
        expectConflict(
          accept,
          `Ride ${rideId} is CANCELLED; only a REQUESTED ride can be accepted`,
        );
        expect(cancel.body.ride).toMatchObject({ driverId: null, driver: null, acceptedAt: null });
        expect(row).toMatchObject({ driverId: null, acceptedAt: null });
        expect((await getRide(driver, rideId)).status).toBe(404);
      }

      // A cancelled ride is nobody's ride in progress.
      expect(await activeRideOf(driver)).toBeNull();
      expect(await activeRideOf(rider)).toBeNull();
    }
  });
});

describe('the driver releasing a ride while something else happens to it', () => {
  it('ends CANCELLED, with or without the driver, when the rider cancels during a release', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });

    for (let round = 0; round < 20; round++) {
      const rideId = await createRide(t, rider);
      // Half the rounds release an ACCEPTED ride, half an ARRIVING one.
      await drive(driver, rideId, round % 4 < 2 ? ['accept'] : ['accept', 'arriving']);
      const releaseRequest = rideAction(t, driver, rideId, 'release', { reason: 'flat tyre' });
      const cancelRequest = rideAction(t, rider, rideId, 'cancel');
      const [release, cancel] =
        round % 2 === 0
          ? await race([releaseRequest, cancelRequest])
          : (await race([cancelRequest, releaseRequest])).reverse();

      // A cancel applies to the ride whether it is still assigned or already released.
      expect({ cancel: cancel.status, release: [200, 409].includes(release.status) }).toEqual({
        cancel: 200,
        release: true,
      });
      const row = await storedRide(t, rideId);
      expect(row).toMatchObject({ status: 'CANCELLED', cancelledBy: 'rider' });

      if (release.status === 200) {
        expect(release.body.ride).toMatchObject({ status: 'REQUESTED', driverId: null });
        expect(cancel.body.ride).toMatchObject({
          status: 'CANCELLED',
          driverId: null,
          driver: null,
        });
        expect(row).toMatchObject({
          driverId: null,
          acceptedAt: null,
          arrivingAt: null,
          releaseReason: 'flat tyre',
        });
        expectInOrder(row, 'releasedAt', 'cancelledAt');
      } else {
        const from = round % 4 < 2 ? 'ACCEPTED' : 'ARRIVING';
        expectConflict(
          release,
          `Ride ${rideId} is CANCELLED; only a ACCEPTED or ARRIVING ride can be released`,
        );
        expect(cancel.body.ride).toMatchObject({ status: 'CANCELLED', driverId: driver.id });
        expect(row).toMatchObject({ driverId: driver.id, releasedAt: null, releaseReason: null });
        expect(row.acceptedAt).not.toBeNull();
        expect(row.arrivingAt === null).toBe(from === 'ACCEPTED');
      }
      expect(await activeRideOf(driver)).toBeNull();
      expect(await activeRideOf(rider)).toBeNull();
    }
  });

  it('gives the ride to another driver only if their accept comes after the release', async () => {
    const rider = await insertRider(t);
    const first = await insertDriver(t, { at: SF });
    const second = await insertDriver(t, { at: SF });

    for (let round = 0; round < 20; round++) {
      const rideId = await createRide(t, rider);
      await drive(first, rideId, round % 4 < 2 ? ['accept'] : ['accept', 'arriving']);
      const releaseRequest = rideAction(t, first, rideId, 'release');
      const acceptRequest = rideAction(t, second, rideId, 'accept');
      const [release, accept] =
        round % 2 === 0
          ? await race([releaseRequest, acceptRequest])
          : (await race([acceptRequest, releaseRequest])).reverse();

      // Nothing but the release can move the ride out of the first driver's hands.
      expect(release.status).toBe(200);
      expect(release.body.ride).toMatchObject({ status: 'REQUESTED', driverId: null });
      expect([200, 409]).toContain(accept.status);
      const row = await storedRide(t, rideId);

      if (accept.status === 200) {
        expect(accept.body.ride).toMatchObject({ status: 'ACCEPTED', driverId: second.id });
        expect(row).toMatchObject({ status: 'ACCEPTED', driverId: second.id, arrivingAt: null });
        expectInOrder(row, 'releasedAt', 'acceptedAt');
        expect((await activeRideOf(second))?.id).toBe(rideId);
        expect((await getRide(first, rideId)).status).toBe(404);
      } else {
        expectConflict(accept, `Ride ${rideId} has already been taken by another driver`);
        expect(row).toMatchObject({ status: 'REQUESTED', driverId: null, acceptedAt: null });
        expect(await activeRideOf(second)).toBeNull();
      }
      expect(await activeRideOf(first)).toBeNull();

      await expectOk(rideAction(t, rider, rideId, 'cancel'));
    }
  });
});

describe('the same transition sent twice at once', () => {
  interface Case {
    action: string;
    /** Steps by the driver before the race. */
    before: string[];
    /** Who sends the racing pair. */
    by: 'driver' | 'rider';
    after: string;
    stamp: string;
    loser: (rideId: number) => { status: number; message: string | RegExp };
  }
  const cases: Case[] = [
    {
      action: 'accept',
      before: [],
      by: 'driver',
      after: 'ACCEPTED',
      stamp: 'acceptedAt',
      loser: (id) => ({
        status: 409,
        message: new RegExp(`^You have already accepted ride ${id}\\b`),
      }),
    },
    {
      action: 'arriving',
      before: ['accept'],
      by: 'driver',
      after: 'ARRIVING',
      stamp: 'arrivingAt',
      loser: (id) => ({
        status: 409,
        message: `Ride ${id} is ARRIVING; only a ACCEPTED ride can be marked arriving`,
      }),
    },
    {
      action: 'start',
      before: ['accept', 'arriving'],
      by: 'driver',
      after: 'IN_PROGRESS',
      stamp: 'startedAt',
      loser: (id) => ({
        status: 409,
        message: `Ride ${id} is IN_PROGRESS; only a ARRIVING ride can be started`,
      }),
    },
    {
      action: 'complete',
      before: ['accept', 'arriving', 'start'],
      by: 'driver',
      after: 'COMPLETED',
      stamp: 'completedAt',
      loser: (id) => ({
        status: 409,
        message: `Ride ${id} is COMPLETED; only a IN_PROGRESS ride can be completed`,
      }),
    },
    {
      action: 'cancel',
      before: ['accept'],
      by: 'rider',
      after: 'CANCELLED',
      stamp: 'cancelledAt',
      loser: (id) => ({
        status: 409,
        message: `Ride ${id} is CANCELLED; only a REQUESTED, ACCEPTED or ARRIVING ride can be cancelled`,
      }),
    },
    {
      // Once released the ride is no longer the driver's, so the second release is a stranger's:
      // 404, as for any ride that is not theirs.
      action: 'release',
      before: ['accept'],
      by: 'driver',
      after: 'REQUESTED',
      stamp: 'releasedAt',
      loser: (id) => ({ status: 404, message: `Ride ${id} not found` }),
    },
  ];

  it.each(cases)(
    'applies one of two simultaneous "$action" requests and refuses the other',
    async ({ action, before, by, after, stamp, loser }) => {
      const rider = await insertRider(t);
      const driver = await insertDriver(t, { at: SF });
      const actor = by === 'driver' ? driver : rider;

      for (let round = 0; round < 10; round++) {
        const rideId = await createRide(t, rider);
        await drive(driver, rideId, before);

        const responses = await race([
          rideAction(t, actor, rideId, action),
          rideAction(t, actor, rideId, action),
        ]);
        const expected = loser(rideId);
        expect(codes(responses)).toEqual([200, expected.status].sort((a, b) => a - b));
        const winner = responses.find((r) => r.status === 200)!;
        const refused = responses.find((r) => r !== winner)!;
        expect(refused.body).toMatchObject({ success: false, statusCode: expected.status });
        expect(refused.body.message).toEqual(
          typeof expected.message === 'string'
            ? expected.message
            : expect.stringMatching(expected.message),
        );
        // The loser was told exactly what a late retry is told.
        const retry = await rideAction(t, actor, rideId, action);
        expect({ status: retry.status, message: retry.body.message }).toEqual({
          status: refused.status,
          message: refused.body.message,
        });

        // One write: the stored step time is the one the winner reported.
        const row = await storedRide(t, rideId);
        expect(row.status).toBe(after);
        expect(winner.body.ride.status).toBe(after);
        expect(row[stamp]).not.toBeNull();
        expect((row[stamp] as Date).toISOString()).toBe(winner.body.ride[stamp]);
        if (action === 'complete') expect(row.finalFare).toBe(row.estimatedFare);

        // Free both for the next round.
        if (after === 'IN_PROGRESS') await expectOk(rideAction(t, driver, rideId, 'complete'));
        else if (ACTIVE.includes(after)) await expectOk(rideAction(t, rider, rideId, 'cancel'));
        expect(await activeRideOf(driver)).toBeNull();
        expect(await activeRideOf(rider)).toBeNull();
      }
    },
  );
});
