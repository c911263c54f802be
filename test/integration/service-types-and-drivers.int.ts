import { DEFAULT_SERVICE_TYPE, RIDER_ROLE_ID } from '../../src/common/built-ins';
import { DomainError, DomainErrorCode } from '../../src/common/errors/domain-error';
import { ChangeFeed } from '../../src/database/change-feed';
import { DriverProfileStore } from '../../src/drivers/driver-profile.store';
import { DriversModule } from '../../src/drivers/drivers.module';
import { ServiceTypeStore } from '../../src/service-types/service-type.store';
import { ServiceTypesService } from '../../src/service-types/service-types.service';
import { createModuleTest, insertDriver, insertUser, type ModuleTest } from '../support/nest-db';

/** The template's reference types: SwiftRide X = 1, SUV = 2, Black = 3, all active. */
describe('ServiceTypeStore, ServiceTypesService and DriverProfileStore', () => {
  let t: ModuleTest;
  let store: ServiceTypeStore;
  let service: ServiceTypesService;
  let profiles: DriverProfileStore;

  beforeAll(async () => {
    t = await createModuleTest([DriversModule]);
    store = t.get(ServiceTypeStore);
    service = t.get(ServiceTypesService);
    profiles = t.get(DriverProfileStore);
  });

  afterAll(() => t?.close());

  /**
   * Changes made behind the service's back, as another process would make them: resolves once the
   * database's change notice has reached the service (it keeps the types in memory).
   */
  const changeTypes = async (change: () => Promise<unknown>) => {
    let stop: () => void = () => undefined;
    const heard = new Promise<void>((resolve) => {
      stop = t.get(ChangeFeed).subscribe((notice) => {
        if (notice !== 'reset' && notice.table === 'ServiceTypes') resolve();
      });
    });
    await change();
    await heard;
    stop();
  };
  const setActive = (ids: number[], isActive: boolean) =>
    changeTypes(() =>
      t.sequelize.query(`UPDATE "ServiceTypes" SET "isActive" = :isActive WHERE id IN (:ids)`, {
        replacements: { ids, isActive },
      }),
    );
  /** Every type active again, and no driver online, whatever a test left behind. */
  afterEach(async () => {
    await changeTypes(() => t.sequelize.query(`UPDATE "ServiceTypes" SET "isActive" = true`));
    await t.sequelize.query(`UPDATE "DriverProfiles" SET "isOnline" = false`);
  });

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => error as DomainError,
    );

  describe('listing', () => {
    it('lists active types by id and hides inactive ones', async () => {
      expect((await store.listAll()).map((type) => type.id)).toEqual([1, 2, 3]);
      await setActive([2], false);
      expect((await service.listActive()).map((type) => type.name)).toEqual([
        'SwiftRide X',
        'SwiftRide Black',
      ]);
    });

    it('lists only active types that have a driver online', async () => {
      expect(await store.listActiveWithOnlineDriver()).toEqual([]);
      await insertDriver(t, { serviceTypeId: 3, online: true });
      await insertDriver(t, { serviceTypeId: 2, online: false });
      expect((await service.listAvailable()).map((type) => type.id)).toEqual([3]);
      await insertDriver(t, { serviceTypeId: 1, online: true });
      expect((await store.listActiveWithOnlineDriver()).map((type) => type.id)).toEqual([1, 3]);
      await setActive([3], false);
      expect((await store.listActiveWithOnlineDriver()).map((type) => type.id)).toEqual([1]);
    });
  });

  describe('findForRide', () => {
    it('takes the chosen id or the original server name', async () => {
      expect(await service.findForRide({ serviceTypeId: 3 })).toMatchObject({
        id: 3,
        name: 'SwiftRide Black',
      });
      expect(await service.findForRide({ serviceType: 'SWIFTRIDE_SUV' })).toMatchObject({
        id: 2,
        baseFare: 5,
      });
    });

    it('defaults to SwiftRide X by name, wherever its id is', async () => {
      expect(await service.findForRide({})).toMatchObject({
        id: 1,
        name: DEFAULT_SERVICE_TYPE.name,
      });
      // As in an adopted database: the default's name on another row.
      await changeTypes(() =>
        t.sequelize.transaction(async (transaction) => {
          await t.sequelize.query(`UPDATE "ServiceTypes" SET name = 'Old X' WHERE id = 1`, {
            transaction,
          });
          await t.sequelize.query(`UPDATE "ServiceTypes" SET name = 'SwiftRide X' WHERE id = 3`, {
            transaction,
          });
        }),
      );
      try {
        expect(await service.findForRide({})).toMatchObject({ id: 3, name: 'SwiftRide X' });
      } finally {
        await changeTypes(async () => {
          await t.sequelize.query(
            `UPDATE "ServiceTypes" SET name = 'SwiftRide Black' WHERE id = 3`,
          );
          await t.sequelize.query(`UPDATE "ServiceTypes" SET name = 'SwiftRide X' WHERE id = 1`);
        });
      }
    });

    it('falls back to the first active type while SwiftRide X is inactive', async () => {
      await setActive([1], false);
      expect(await service.findForRide({})).toMatchObject({ id: 2 });
      await setActive([2], false);
      expect(await service.findForRide({})).toMatchObject({ id: 3 });
    });

    it('refuses an inactive or unknown choice as invalid input, naming the field', async () => {
      await setActive([2], false);
      const byId = await refusal(service.findForRide({ serviceTypeId: 2 }));
      expect(byId.code).toBe(DomainErrorCode.InvalidInput);
      expect(byId.details).toEqual([
        { field: 'serviceTypeId', message: 'serviceTypeId 2 is not an active service type' },
      ]);
      const byName = await refusal(service.findForRide({ serviceType: 'SWIFTRIDE_SUV' }));
      expect(byName.code).toBe(DomainErrorCode.InvalidInput);
      expect(byName.details?.[0].field).toBe('serviceType');
      const unknown = await refusal(service.findForRide({ serviceTypeId: 999 }));
      expect(unknown.code).toBe(DomainErrorCode.InvalidInput);
    });

    it('is a conflict when no type is active', async () => {
      await setActive([1, 2, 3], false);
      const error = await refusal(service.findForRide({}));
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe(DomainErrorCode.Conflict);
    });
  });

  describe('remove', () => {
    it('refuses to delete a type a driver uses, and deletes an unused one', async () => {
      await insertDriver(t, { serviceTypeId: 2 });
      const error = await refusal(service.remove(2));
      expect(error.code).toBe(DomainErrorCode.Conflict);
      expect(await store.findById(2)).not.toBeNull();
      const created = await service.create({
        name: `Temp ${process.pid}`,
        baseFare: 1,
        perMileRate: 1,
        perMinuteRate: 1,
        maxPassengers: 2,
      });
      await service.remove(created.id);
      expect(await store.findById(created.id)).toBeNull();
      expect((await refusal(service.remove(created.id))).code).toBe(DomainErrorCode.NotFound);
    });
  });

  describe('DriverProfileStore', () => {
    const HERE = { latitude: 37.78, longitude: -122.41 };

    it('records the location of an online driver', async () => {
      const driver = await insertDriver(t, { online: true });
      const recorded = await profiles.recordLocation(driver, HERE, false);
      expect(recorded).toMatchObject(HERE);
      expect(recorded?.updatedAt).toBeInstanceOf(Date);
      expect(await profiles.findPosition(driver, 60)).toEqual({
        isOnline: true,
        serviceTypeId: 1,
        ...HERE,
        fresh: true,
      });
    });

    it('records an offline driver only when asked to', async () => {
      const driver = await insertDriver(t, { online: false });
      expect(await profiles.recordLocation(driver, HERE, false)).toBeUndefined();
      expect(await profiles.findPosition(driver, 60)).toMatchObject({
        latitude: null,
        longitude: null,
        fresh: false,
      });
      expect(await profiles.recordLocation(driver, HERE, true)).toMatchObject(HERE);
      expect(await profiles.findPosition(driver, 60)).toMatchObject({ ...HERE, isOnline: false });
    });

    it('records nothing for a user without a profile', async () => {
      const rider = await insertUser(t, RIDER_ROLE_ID);
      expect(await profiles.recordLocation(rider, HERE, true)).toBeUndefined();
      expect(await profiles.findPosition(rider, 60)).toBeUndefined();
    });

    it('calls a position fresh only within the staleness window', async () => {
      const driver = await insertDriver(t, { at: HERE, reportedSecondsAgo: 90 });
      expect(await profiles.findPosition(driver, 120)).toMatchObject({ fresh: true });
      expect(await profiles.findPosition(driver, 60)).toMatchObject({ fresh: false, ...HERE });
    });

    it('sets the online flag of drivers only', async () => {
      const driver = await insertDriver(t, { online: false });
      expect(await profiles.setOnline(driver, true)).toBe(true);
      expect(await profiles.findIsOnline(driver)).toBe(true);
      expect(await profiles.setOnline(driver, false)).toBe(true);
      expect(await profiles.findIsOnline(driver)).toBe(false);
      const rider = await insertUser(t, RIDER_ROLE_ID);
      expect(await profiles.setOnline(rider, true)).toBe(false);
      expect(await profiles.findIsOnline(rider)).toBeUndefined();
    });
  });
});
