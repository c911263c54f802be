import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ServiceTypeDto } from '../service-types/dto/service-type.dto';
import { ServiceTypesService } from '../service-types/service-types.service';

@ApiTags('rides')
@ApiBearerAuth()
@Controller('rides')
export class RidesController {
  constructor(private readonly serviceTypes: ServiceTypesService) {}

  @Get('available-service-types')
  @ApiOperation({ summary: 'Active service types that have at least one driver online right now' })
  @ApiOkResponse({ type: [ServiceTypeDto] })
  @ApiErrors(401)
  availableServiceTypes(): Promise<ServiceTypeDto[]> {
    return this.serviceTypes.listAvailable();
  }
}
