import { Controller, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { TimelineQueryDto } from '../../../platform/records/list-query.dto.js';
import { RecordController, RecordSubList } from '../../../platform/records/record.controller.js';
import { ActivitiesService } from '../activities/activities.service.js';
import { ActivityPageDto } from '../activities/activities.controller.js';
import { AccountDto, CreateAccountInput, UpdateAccountInput } from './account.dto.js';
import { AccountsService } from './accounts.service.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No account with that id.'),
});

@ApiTags('accounts')
@ApiBearerAuth('bearer')
@Controller('v1/accounts')
export class AccountsController extends RecordController({
  typeName: 'Account',
  output: AccountDto,
  create: CreateAccountInput,
  update: UpdateAccountInput,
}) {
  constructor(
    protected readonly service: AccountsService,
    private readonly activities: ActivitiesService,
  ) {
    super();
  }

  @RecordSubList('timeline', {
    object: 'account',
    summary: 'Account timeline',
    description: 'Activities on the account and on its contacts, newest first, cursor-paginated.',
    page: ActivityPageDto,
    permissions: ['accounts:read', 'activities:read'],
  })
  async timeline(
    @Ctx() ctx: RequestContext,
    @Param('id', uuid) id: string,
    @Query() query: TimelineQueryDto,
  ) {
    return this.toBody(await this.activities.accountTimeline(ctx, id, query));
  }
}
