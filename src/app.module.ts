import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config/configuration';
import { DatabaseModule } from './database/database.module';
import { DriversModule } from './drivers/drivers.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { RidesModule } from './rides/rides.module';
import { RolesModule } from './roles/roles.module';
import { ServiceTypesModule } from './service-types/service-types.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ ...config })],
        }),
        DatabaseModule,
        MetricsModule.forRoot(config.metrics),
        AuthModule,
        HealthModule,
        UsersModule,
        RolesModule,
        ServiceTypesModule,
        DriversModule,
        RidesModule,
      ],
    };
  }
}
