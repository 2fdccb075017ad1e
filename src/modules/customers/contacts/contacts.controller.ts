import { Controller, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { TimelineQueryDto } from '../../../platform/records/list-query.dto.js';
import { RecordController, RecordSubList } from '../../../platform/records/record.controller.js';
import { ActivitiesService } from '../activities/activities.service.js';
import { ActivityPageDto } from '../activities/activities.controller.js';
import { ContactDto, CreateContactInput, UpdateContactInput } from './contact.dto.js';
import { ContactsService } from './contacts.service.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No contact with that id.'),
});

@ApiTags('contacts')
@ApiBearerAuth('bearer')
@Controller('v1/contacts')
export class ContactsController extends RecordController({
  typeName: 'Contact',
  output: ContactDto,
  create: CreateContactInput,
  update: UpdateContactInput,
}) {
  constructor(
    protected readonly service: ContactsService,
    private readonly activities: ActivitiesService,
  ) {
    super();
  }

  @RecordSubList('timeline', {
    object: 'contact',
    summary: 'Contact timeline',
    description: 'The contact’s activities, newest first, cursor-paginated.',
    page: ActivityPageDto,
    permissions: ['contacts:read', 'activities:read'],
  })
  async timeline(
    @Ctx() ctx: RequestContext,
    @Param('id', uuid) id: string,
    @Query() query: TimelineQueryDto,
  ) {
    return this.toBody(await this.activities.contactTimeline(ctx, id, query));
  }
}
