import { type DynamicModule, Module } from '@nestjs/common';
import type { MetricsConfig } from '../config/configuration';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics';
import { MetricsServer } from './metrics.server';

/** Prometheus metrics, on a port of their own and/or behind a token; global, so any feature reports. */
@Module({})
export class MetricsModule {
  static forRoot(config: MetricsConfig): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: config.token === undefined ? [] : [MetricsController],
      providers: [Metrics, MetricsServer],
      exports: [Metrics],
    };
  }
}
