import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SequelizeModule } from '@nestjs/sequelize';
import { DriversModule } from '../drivers/drivers.module';
import { Metrics } from '../metrics/metrics';
import { MeController } from './me.controller';
import type { HashingConfig } from '../config/configuration';
import { HashingGate } from './hashing-gate';
import { PasswordHasher } from './password-hasher';
import { User } from './user.model';
import { UserStore } from './user.store';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Accounts. Owns the Users table. */
@Module({
  imports: [SequelizeModule.forFeature([User]), DriversModule],
  controllers: [MeController, UsersController],
  providers: [
    UserStore,
    UsersService,
    PasswordHasher,
    {
      provide: HashingGate,
      inject: [ConfigService, Metrics],
      useFactory: (config: ConfigService, metrics: Metrics) => {
        const { concurrency, queueMax } = config.getOrThrow<HashingConfig>('hashing');
        const gate = new HashingGate(concurrency, queueMax, () => metrics.passwordHashRefused());
        metrics.watchPasswordHashing(gate);
        return gate;
      },
    },
  ],
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
