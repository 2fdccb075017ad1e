import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../context/ctx.decorator.js';
import { AuthenticatedOnly } from '../security/require-permission.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { problemResponse } from './oauth.dto.js';
import { UsersService } from './users.service.js';
import { ViewerDto } from './viewer.dto.js';

@ApiTags('auth')
@ApiBearerAuth('bearer')
@Controller('v1/me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AuthenticatedOnly()
  @ApiOperation({
    operationId: 'me_get',
    summary: 'The signed-in user',
    description:
      'Returns the user the bearer token belongs to: a quick way to check a token. GraphQL equivalent: `viewer`.',
  })
  @ApiOkResponse({ type: ViewerDto, description: 'The current user.' })
  @ApiResponse(
    problemResponse(401, 'Missing, invalid or expired access token (with a WWW-Authenticate header).'),
  )
  me(@Ctx() ctx: RequestContext): Promise<ViewerDto> {
    return this.users.viewer(ctx);
  }
}
