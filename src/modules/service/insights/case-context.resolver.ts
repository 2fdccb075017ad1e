import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { CaseDto } from '../cases/case.dto.js';
import { CaseContextDto } from './case-context.dto.js';
import { CaseContextService } from './case-context.service.js';

/** `Case.context`: the same service call as GET /v1/cases/{id}/context. */
@Resolver(() => CaseDto)
export class CaseContextResolver {
  constructor(private readonly contexts: CaseContextService) {}

  @ResolveField('context', () => CaseContextDto, {
    description:
      'The 360° context: contact, account, open opportunities, recent cases and activities, suggested articles; parts you may not read are null and named in `restricted`. REST: GET /v1/cases/{id}/context.',
  })
  context(@Parent() kase: CaseDto, @Ctx() ctx: RequestContext): Promise<CaseContextDto> {
    return this.contexts.context(ctx, kase.id) as Promise<CaseContextDto>;
  }
}
