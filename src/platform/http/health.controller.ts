import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import { DependencyCheck, HealthService, ReadinessReport } from './health.service.js';

class LivenessDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';
}

class DependencyCheckDto implements DependencyCheck {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  @ApiPropertyOptional({ description: 'Round trip of the check, when it answered.', example: 1.4 })
  latencyMs?: number;

  @ApiPropertyOptional({
    description: 'Why the check is down; never a driver message.',
    example: 'no answer within 2000 ms',
  })
  detail?: string;
}

@ApiExtraModels(DependencyCheckDto)
class ReadinessDto implements ReadinessReport {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status: 'ok' | 'error';

  @ApiProperty({
    description: 'One entry per dependency (`database`), or `lifecycle` while the server shuts down.',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(DependencyCheckDto) },
    example: { database: { status: 'up', latencyMs: 1.4 } },
  })
  checks: Record<string, DependencyCheck>;
}

/** Probes for orchestrators and load balancers; reachable without a token so they need no secret. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Liveness probe',
    description:
      'Answers 200 whenever the process can serve HTTP at all. It checks no dependency, so a database outage never gets the process restarted.',
    security: [],
  })
  @ApiOkResponse({ description: 'The process is running.', type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness probe',
    description:
      `Answers 200 when the database answers \`SELECT 1\` within 2 s, else 503. Also 503 once shutdown has begun, ` +
      'so load balancers drain the instance before it closes its connections.',
    security: [],
  })
  @ApiOkResponse({ description: 'Ready to serve traffic.', type: ReadinessDto })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down or the server is shutting down.',
    type: ReadinessDto,
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const report = await this.health.readiness();
    // A plain report rather than problem+json: probes read the status code, humans the checks.
    if (report.status !== 'ok') reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
