import { Module } from '@nestjs/common';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { RidesController } from './rides.controller';

@Module({
  imports: [ServiceTypesModule],
  controllers: [RidesController],
})
export class RidesModule {}
