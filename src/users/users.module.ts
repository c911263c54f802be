import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { DriversModule } from '../drivers/drivers.module';
import { Metrics } from '../metrics/metrics';
import { MeController } from './me.controller';
import { passwordHashesInFlight } from './password-hasher';
import { User } from './user.model';
import { UserStore } from './user.store';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Accounts. Owns the Users table. */
@Module({
  imports: [SequelizeModule.forFeature([User]), DriversModule],
  controllers: [MeController, UsersController],
  providers: [UserStore, UsersService],
  exports: [UsersService],
})
export class UsersModule {
  constructor(metrics: Metrics) {
    metrics.countPasswordHashesWith(passwordHashesInFlight);
  }
}
