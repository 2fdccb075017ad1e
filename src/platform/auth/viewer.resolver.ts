import { Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { AuthenticatedOnly } from '../security/require-permission.decorator.js';
import { UsersService } from './users.service.js';
import { ViewerDto } from './viewer.dto.js';

@Resolver(() => ViewerDto)
export class ViewerResolver {
  constructor(private readonly users: UsersService) {}

  @AuthenticatedOnly()
  @Query(() => ViewerDto, {
    description: 'The user the access token belongs to. REST equivalent: GET /v1/me.',
  })
  viewer(@Ctx() ctx: RequestContext): Promise<ViewerDto> {
    return this.users.viewer(ctx);
  }
}
