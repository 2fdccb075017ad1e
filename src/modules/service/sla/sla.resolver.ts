import { Args, Context, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RecordResolver } from '../../../platform/records/record.resolver.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { loadById } from '../../customers/customers.loaders.js';
import {
  BusinessCalendarDto,
  CreateBusinessCalendarInput,
  UpdateBusinessCalendarInput,
} from './business-calendar.dto.js';
import { BusinessCalendarsService } from './business-calendars.service.js';
import {
  CreateSlaPolicyInput,
  SlaPolicyDto,
  SlaPolicyOrderInput,
  UpdateSlaPolicyInput,
} from './sla-policy.dto.js';
import { SlaPoliciesService } from './sla-policies.service.js';

@Resolver(() => BusinessCalendarDto)
export class BusinessCalendarsResolver extends RecordResolver({
  typeName: 'BusinessCalendar',
  singular: 'businessCalendar',
  plural: 'businessCalendars',
  permissionObject: 'business-calendars',
  output: BusinessCalendarDto,
  create: CreateBusinessCalendarInput,
  update: UpdateBusinessCalendarInput,
}) {
  constructor(protected readonly service: BusinessCalendarsService) {
    super();
  }
}

@Resolver(() => SlaPolicyDto)
export class SlaPoliciesResolver extends RecordResolver({
  typeName: 'SlaPolicy',
  singular: 'slaPolicy',
  plural: 'slaPolicies',
  permissionObject: 'sla-policies',
  output: SlaPolicyDto,
  create: CreateSlaPolicyInput,
  update: UpdateSlaPolicyInput,
}) {
  constructor(
    protected readonly service: SlaPoliciesService,
    private readonly calendars: BusinessCalendarsService,
  ) {
    super();
  }

  @ResolveField('calendar', () => BusinessCalendarDto, {
    nullable: true,
    description: 'The policy’s own calendar (null: the tenant default applies).',
  })
  calendar(@Parent() policy: SlaPolicyDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.calendars, policy.calendarId);
  }

  @RequirePermission('sla-policies:update')
  @Mutation(() => [SlaPolicyDto], {
    description:
      'Set the evaluation order of the SLA policies (every live policy exactly once); returns them in order. REST: PUT /v1/sla-policies/order.',
  })
  async reorderSlaPolicies(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => SlaPolicyOrderInput }, createValidationPipe(SlaPolicyOrderInput))
    input: SlaPolicyOrderInput,
  ): Promise<RecordData[]> {
    return (await this.service.reorder(ctx, input.policyIds)).data;
  }
}
