import { bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  connectRealtime,
  createRide,
  insertDriver,
  insertRider,
  nextEvent,
  putLocation,
  rideAction,
  SF,
} from '../support/rides';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('a ride from request to rating', () => {
  it('goes REQUESTED → ACCEPTED → ARRIVING → IN_PROGRESS → COMPLETED and is rated once', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const riderSocket = await connectRealtime(t.baseUrl, rider.accessToken);
    const driverSocket = await connectRealtime(t.baseUrl, driver.accessToken);
    try {
      const offered = nextEvent<{ ride: { id: number } }>(driverSocket, 'ride.offered');
      const rideId = await createRide(t, rider);
      expect((await offered).ride.id).toBe(rideId);

      const accepted = nextEvent<{ id: number; status: string }>(riderSocket, 'ride.updated');
      const accept = await rideAction(t, driver, rideId, 'accept');
      expect(accept.status).toBe(200);
      expect(await accepted).toMatchObject({ id: rideId, status: 'ACCEPTED' });

      const location = nextEvent(riderSocket, 'driver.location');
      await putLocation(t, driver, { latitude: 37.775, longitude: -122.419 }).expect(200);
      expect(await location).toMatchObject({ rideId, driverId: driver.id, latitude: 37.775 });

      for (const [action, status] of [
        ['arriving', 'ARRIVING'],
        ['start', 'IN_PROGRESS'],
        ['complete', 'COMPLETED'],
      ]) {
        const response = await rideAction(t, driver, rideId, action);
        expect({ action, status: response.status, body: response.body }).toMatchObject({
          status: 200,
          body: { ride: { status } },
        });
      }
      const done = await t.http.get(`/api/rides/${rideId}`).set('Authorization', bearer(rider));
      expect(done.body.ride.finalFare).toBe(done.body.ride.estimatedFare);

      expect((await rideAction(t, rider, rideId, 'rate', { rating: 5 })).status).toBe(200);
      expect((await rideAction(t, rider, rideId, 'rate', { rating: 4 })).status).toBe(409);
      const profile = await t.http.get('/api/drivers/me').set('Authorization', bearer(driver));
      expect(profile.body.rating).toEqual({ average: 5, count: 1 });
    } finally {
      riderSocket.close();
      driverSocket.close();
    }
  });
});

describe('a driver who goes offline during a ride', () => {
  it('still reports their location to the rider until the ride ends', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const rideId = await createRide(t, rider);
    expect((await rideAction(t, driver, rideId, 'accept')).status).toBe(200);
    await t.http
      .patch('/api/drivers/me/update-status')
      .set('Authorization', bearer(driver))
      .send({ isOnline: false })
      .expect(200);

    const riderSocket = await connectRealtime(t.baseUrl, rider.accessToken);
    try {
      const location = nextEvent(riderSocket, 'driver.location');
      const moved = await putLocation(t, driver, { latitude: 37.776, longitude: -122.418 });
      expect(moved.status).toBe(200);
      expect(await location).toMatchObject({ rideId, latitude: 37.776, longitude: -122.418 });
    } finally {
      riderSocket.close();
    }

    await rideAction(t, driver, rideId, 'arriving').expect(200);
    await rideAction(t, driver, rideId, 'start').expect(200);
    await rideAction(t, driver, rideId, 'complete').expect(200);
    const afterRide = await putLocation(t, driver, SF);
    expect(afterRide.status).toBe(409);
    expect(afterRide.body.message).toMatch(/Go online/);
  });
});
