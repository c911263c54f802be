import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { type Readiness, ReadinessService } from './readiness.service';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';

  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database!: 'up' | 'down';
}

export class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

export class ReadinessChecksDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database!: Readiness['database'];

  @ApiProperty({
    enum: ['up-to-date', 'pending', 'unknown'],
    example: 'up-to-date',
    description:
      'Whether every migration this build ships is applied (`unknown` while the database is down)',
  })
  migrations!: Readiness['migrations'];

  @ApiProperty({
    enum: ['up', 'down', 'not-configured'],
    example: 'not-configured',
    description: 'Checked only when REDIS_URL is set',
  })
  redis!: Readiness['redis'];
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';

  @ApiProperty({
    type: [String],
    enum: ['database', 'migrations', 'redis'],
    example: [],
    description: 'The checks that failed; empty when ready',
  })
  failed!: Array<'database' | 'migrations' | 'redis'>;

  @ApiProperty({ type: ReadinessChecksDto })
  checks!: ReadinessChecksDto;

  @ApiProperty({
    type: [String],
    example: [],
    description: 'Migrations this build ships that the database has not applied',
  })
  pendingMigrations!: string[];
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'The API is up and can reach its database' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const up = await this.readiness.databaseAnswers();
    if (!up) reply.status(503);
    return { status: up ? 'ok' : 'error', database: up ? 'up' : 'down' };
  }

  @Get('live')
  @Public()
  @ApiOperation({
    summary: 'Liveness: the process answers (no database or network call)',
    description:
      'For restart decisions: failing means the process is stuck, not that a dependency is down.',
  })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary:
      'Readiness: database reachable, migrations up to date, Redis reachable when configured',
    description: 'For load balancers and orchestrators: send traffic only while this answers 200.',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: '`failed` names the checks that failed',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const checks = await this.readiness.check();
    const failed: ReadinessDto['failed'] = [];
    if (checks.database !== 'up') failed.push('database');
    if (checks.migrations !== 'up-to-date') failed.push('migrations');
    if (checks.redis === 'down') failed.push('redis');
    if (failed.length > 0) reply.status(503);
    const { pendingMigrations, ...states } = checks;
    return {
      status: failed.length > 0 ? 'error' : 'ok',
      failed,
      checks: states,
      pendingMigrations,
    };
  }
}
