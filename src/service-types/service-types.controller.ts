import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Public, Roles } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { JSON_CONTENT_TYPE } from '../common/http/json-body';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { CreateServiceTypeDto, ServiceTypeDto, UpdateServiceTypeDto } from './dto/service-type.dto';
import { ServiceTypesService } from './service-types.service';

const RATE_BOUND =
  'Rates for which the longest trip a ride can be (antipodes, under RIDE_ROAD_FACTOR and ' +
  'RIDE_AVERAGE_SPEED_MPH) would cost more than 99,999,999.99 are refused with 400 naming ' +
  'each rate sent and the most it may be.';

@ApiTags('service-types')
@Controller('service-types')
export class ServiceTypesController {
  constructor(private readonly types: ServiceTypesService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Active service types (ride classes) with their fares' })
  @ApiOkResponse({ type: [ServiceTypeDto] })
  // Sent as serialised once per change: the cheapest read of the API, and its most frequent.
  @Header('Content-Type', JSON_CONTENT_TYPE)
  list(): Promise<string> {
    return this.types.listActiveJson();
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One service type, active or not' })
  @ApiOkResponse({ type: ServiceTypeDto })
  @ApiErrors(400, 404)
  findOne(@Param('id', ParseIdPipe) id: number): Promise<ServiceTypeDto> {
    return this.types.findById(id);
  }

  @Post()
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create a service type (admin)', description: RATE_BOUND })
  @ApiCreatedResponse({ type: ServiceTypeDto })
  @ApiErrors(400, 401, 403, 409)
  create(@Body() dto: CreateServiceTypeDto): Promise<ServiceTypeDto> {
    return this.types.create(dto);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change fares, name or availability of a service type (admin)',
    description: RATE_BOUND,
  })
  @ApiOkResponse({ type: ServiceTypeDto })
  @ApiErrors(400, 401, 403, 404, 409)
  update(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateServiceTypeDto,
  ): Promise<ServiceTypeDto> {
    return this.types.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete a service type no driver uses (admin; 409 otherwise)' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404, 409)
  remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.types.remove(id);
  }
}
