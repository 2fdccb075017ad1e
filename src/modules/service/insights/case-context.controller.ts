import { Controller, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { idOf, Route } from '../../sales/sales-routes.js';
import { CaseContextDto } from './case-context.dto.js';
import { CaseContextService } from './case-context.service.js';

@ApiTags('cases')
@ApiBearerAuth('bearer')
@Controller('v1/cases')
export class CaseContextController {
  constructor(private readonly contexts: CaseContextService) {}

  @Route('GET', ':id/context', {
    summary: '360° context of a case',
    description:
      'In one call: the case’s contact and account, their open opportunities, their other recent cases with status, their recent activities, and suggested knowledge articles (full-text search on the subject). Each part is read with your permissions and record- and field-level security, as if you asked for it directly: hidden fields are absent, and a part you may not read is null and named in `restricted` (the call does not fail). 404 when the case is not visible.',
    permissions: ['cases:read'],
    params: { id: 'The case id.' },
    response: CaseContextDto,
    problems: [401, 403, 404],
  })
  context(@Ctx() ctx: RequestContext, @Param('id', idOf('case')) id: string): Promise<CaseContextDto> {
    return this.contexts.context(ctx, id) as Promise<CaseContextDto>;
  }
}
