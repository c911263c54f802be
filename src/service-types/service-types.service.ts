import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection } from '@nestjs/sequelize';
import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import {
  DEFAULT_SERVICE_TYPE,
  LEGACY_SERVICE_TYPE_NAMES,
  type LegacyServiceType,
} from '../common/built-ins';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, invalidInput, notFound } from '../common/errors/domain-error';
import {
  type Fares,
  fareFor,
  largestRate,
  longestTrip,
  type RateField,
  type TripModel,
} from '../common/geo/trip';
import { definedFields } from '../common/http/defined';
import { MAX_MONEY } from '../common/money';
import type { RidesConfig } from '../config/configuration';
import type {
  CreateServiceTypeDto,
  ServiceTypeDto,
  UpdateServiceTypeDto,
} from './dto/service-type.dto';
import { ChangeFeed } from '../database/change-feed';
import { ReadThroughCache } from '../database/read-through-cache';
import { ServiceTypeStore } from './service-type.store';
import { toServiceTypeDto } from './service-types.mapper';

const byName = (name: string) => (type: ServiceTypeDto) =>
  type.name.toLowerCase() === name.toLowerCase();

const RATE_FIELDS: RateField[] = ['baseFare', 'perMileRate', 'perMinuteRate'];

/**
 * Ride classes and fares. Every type is kept in memory while the database's change feed is live
 * (an admin's change on any process drops it everywhere within milliseconds; this process drops
 * it before answering the change), so quotes, ride requests and the public list read no table.
 * So is which types have a driver online, dropped whenever a driver goes on or off duty or
 * changes type (the drivers feature calls forgetAvailability on this process), so asking costs
 * the same with ten drivers online or ten thousand.
 */
@Injectable()
export class ServiceTypesService {
  private readonly cache: ReadThroughCache<'all', ServiceTypeDto[]>;
  /** The public list as it is sent: serialised once per change, not once per request. */
  private readonly activeJson: ReadThroughCache<'active', string>;
  private readonly available: ReadThroughCache<'available', ServiceTypeDto[]>;
  private readonly tripModel: TripModel;

  constructor(
    private readonly types: ServiceTypeStore,
    @InjectConnection() private readonly sequelize: Sequelize,
    config: ConfigService,
    feed: ChangeFeed,
  ) {
    this.tripModel = config.getOrThrow<RidesConfig>('rides');
    this.cache = new ReadThroughCache(feed, 1);
    this.activeJson = new ReadThroughCache(feed, 1);
    this.available = new ReadThroughCache(feed, 1);
    feed.subscribe((change) => {
      if (change === 'reset' || change.table === 'ServiceTypes') {
        this.forgetTypes();
      } else if (change.table === 'DriverProfiles') {
        this.available.forget();
      }
    });
  }

  private forgetTypes(): void {
    this.cache.forget();
    this.activeJson.forget();
    this.available.forget();
  }

  /** After a driver went on or off duty or changed type, once that has committed. */
  forgetAvailability(): void {
    this.available.forget();
  }

  /** Every type, active or not, by id. */
  private async all(): Promise<ServiceTypeDto[]> {
    const all = await this.cache.get('all', async () =>
      (await this.types.listAll()).map(toServiceTypeDto),
    );
    return all ?? [];
  }

  async listActive(): Promise<ServiceTypeDto[]> {
    return (await this.all()).filter((type) => type.isActive);
  }

  /** listActive as JSON, the same bytes as the list itself would be serialised to. */
  async listActiveJson(): Promise<string> {
    const json = await this.activeJson.get('active', async () =>
      JSON.stringify(await this.listActive()),
    );
    return json ?? '[]';
  }

  async listAvailable(): Promise<ServiceTypeDto[]> {
    const available = await this.available.get('available', async () =>
      (await this.types.listActiveWithOnlineDriver()).map(toServiceTypeDto),
    );
    return available ?? [];
  }

  /**
   * A type created on another process a moment ago may not have been announced here yet: one not
   * in memory is looked for in the table before it is called missing.
   */
  async findById(id: number): Promise<ServiceTypeDto> {
    const type =
      (await this.all()).find((candidate) => candidate.id === id) ??
      (await this.types.findById(id).then((found) => found && toServiceTypeDto(found)));
    if (!type) throw notFound('Service type', id);
    return type;
  }

  /**
   * The type a client chose by id or by the original server's name, or the default when it chose
   * none: "SwiftRide X" while it is active (by name: an adopted database may hold it under another
   * id), else the first active type. 400 for a choice that is not active, 409 when none is.
   */
  async findForRide(choice: {
    serviceTypeId?: number;
    serviceType?: LegacyServiceType;
  }): Promise<ServiceTypeDto> {
    const active = await this.listActive();
    if (choice.serviceTypeId !== undefined || choice.serviceType !== undefined) {
      const type =
        choice.serviceTypeId !== undefined
          ? active.find((candidate) => candidate.id === choice.serviceTypeId)
          : active.find(byName(LEGACY_SERVICE_TYPE_NAMES[choice.serviceType!]));
      if (type) return type;
      const field = choice.serviceTypeId !== undefined ? 'serviceTypeId' : 'serviceType';
      const message = `${field} ${choice.serviceTypeId ?? choice.serviceType} is not an active service type`;
      throw invalidInput(message, [{ field, message }]);
    }
    const type = active.find(byName(DEFAULT_SERVICE_TYPE.name)) ?? active[0];
    if (!type) throw conflict('No service type is active; rides cannot be requested right now');
    return type;
  }

  /** Throws 400 unless the id names an active service type (what drivers may choose). */
  async assertActive(id: number, transaction?: Transaction): Promise<void> {
    const type = await this.types.findById(id, transaction);
    if (!type?.isActive) {
      const message = `serviceTypeId ${id} is not an active service type`;
      throw invalidInput(message, [{ field: 'serviceTypeId', message }]);
    }
  }

  async create(dto: CreateServiceTypeDto): Promise<ServiceTypeDto> {
    this.assertEveryFareFits(dto, RATE_FIELDS);
    const type = await this.types.insert(dto);
    this.forgetTypes();
    return toServiceTypeDto(type);
  }

  /** New rates are checked with the stored ones, under a row lock, so two changes cannot add up. */
  async update(id: number, dto: UpdateServiceTypeDto): Promise<ServiceTypeDto> {
    const changes = definedFields(dto);
    if (Object.keys(changes).length > 0) {
      await this.sequelize.transaction(async (transaction) => {
        const current = await this.types.findByIdForUpdate(id, transaction);
        if (!current) throw notFound('Service type', id);
        const changedRates = RATE_FIELDS.filter((field) => changes[field] !== undefined);
        if (changedRates.length > 0) {
          const { baseFare, perMileRate, perMinuteRate } = current;
          this.assertEveryFareFits(
            { baseFare, perMileRate, perMinuteRate, ...changes },
            changedRates,
          );
        }
        await this.types.update(id, changes, transaction);
      });
      this.forgetTypes();
    }
    return this.findById(id);
  }

  /**
   * A ride stores its fare as DECIMAL(10,2): rates are refused (400 naming the `changed` ones) when
   * the longest trip two valid coordinates allow, under the configured road factor and speed,
   * would cost more than that holds. Fares grow with distance, so every shorter trip fits too.
   */
  private assertEveryFareFits(fares: Fares, changed: RateField[]): void {
    const trip = longestTrip(this.tripModel);
    const fare = fareFor(fares, trip);
    if (fare <= MAX_MONEY) return;
    const details = changed.map((field) => {
      const largest = largestRate(fares, trip, field, MAX_MONEY);
      const message =
        largest >= 0
          ? `${field} can be at most ${largest} with the other rates as they are`
          : `${field} cannot bring fares within ${MAX_MONEY} while the other rates stay as they are`;
      return { field, message };
    });
    throw invalidInput(
      `These rates would quote ${fare} for the longest trip a ride can be (${trip.distanceMiles} ` +
        `miles, ${trip.durationMinutes} minutes); no fare can be over ${MAX_MONEY}`,
      details,
    );
  }

  /** Types that drivers (or rides) use cannot be deleted; deactivate them instead. */
  async remove(id: number): Promise<void> {
    try {
      const deleted = await this.types.delete(id);
      this.forgetTypes();
      if (!deleted) throw notFound('Service type', id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      throw conflict(
        `Service type ${id} is still used by drivers or rides; set isActive to false instead`,
      );
    }
  }
}
