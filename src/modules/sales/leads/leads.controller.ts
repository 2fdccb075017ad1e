import { Body, Controller, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { TimelineQueryDto } from '../../../platform/records/list-query.dto.js';
import { RecordController, RecordSubList } from '../../../platform/records/record.controller.js';
import { ActivityPageDto } from '../../customers/activities/activities.controller.js';
import { ActivitiesService } from '../../customers/activities/activities.service.js';
import { idOf, Route } from '../sales-routes.js';
import { LeadConversionService } from './lead-conversion.service.js';
import {
  ConvertLeadInput,
  CreateLeadInput,
  LeadConversionDto,
  LeadDto,
  UpdateLeadInput,
} from './lead.dto.js';
import { CreateLeadQueueInput, LeadQueueDto, UpdateLeadQueueInput } from './lead-queue.dto.js';
import { LEAD } from './lead.object.js';
import { LeadQueuesService, LeadsService } from './leads.service.js';

const id = idOf('lead');

@ApiTags('leads')
@ApiBearerAuth('bearer')
@Controller('v1/leads')
export class LeadsController extends RecordController({
  typeName: 'Lead',
  output: LeadDto,
  create: CreateLeadInput,
  update: UpdateLeadInput,
}) {
  constructor(
    protected readonly service: LeadsService,
    private readonly conversion: LeadConversionService,
    private readonly activities: ActivitiesService,
  ) {
    super();
  }

  @Route('POST', ':id/convert', {
    summary: 'Convert a lead',
    description:
      'In one transaction: links accountId, else the oldest visible account at the lead’s website host or email domain, else creates one; links contactId, else creates a contact at the account; optionally creates an opportunity; marks the lead converted (read-only from then on). Needs leads:update plus create permission for whatever is created. Converting twice is a 409; any failure leaves nothing behind. Audited as one `convert` event on the lead naming the records (plus a `create` event per record created, same request id).',
    permissions: ['leads:update'],
    params: { id: 'The lead id.' },
    body: ConvertLeadInput,
    response: LeadConversionDto,
    problems: [400, 401, 403, 404, 409],
  })
  convert(
    @Ctx() ctx: RequestContext,
    @Param('id', id) leadId: string,
    @Body(createValidationPipe(ConvertLeadInput)) input: ConvertLeadInput,
  ) {
    return this.conversion.convert(ctx, leadId, input);
  }

  @RecordSubList('timeline', {
    object: 'lead',
    summary: 'Lead timeline',
    description: 'The lead’s activities, newest first, cursor-paginated.',
    page: ActivityPageDto,
    permissions: ['leads:read', 'activities:read'],
  })
  async timeline(
    @Ctx() ctx: RequestContext,
    @Param('id', id) leadId: string,
    @Query() query: TimelineQueryDto,
  ) {
    return this.toBody(await this.activities.linkedTimeline(ctx, LEAD, leadId, query));
  }
}

@ApiTags('leads')
@ApiBearerAuth('bearer')
@Controller('v1/lead-queues')
export class LeadQueuesController extends RecordController({
  typeName: 'LeadQueue',
  plural: 'lead-queues',
  output: LeadQueueDto,
  create: CreateLeadQueueInput,
  update: UpdateLeadQueueInput,
}) {
  constructor(protected readonly service: LeadQueuesService) {
    super();
  }
}
