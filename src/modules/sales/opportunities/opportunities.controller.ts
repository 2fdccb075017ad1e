import { Body, Controller, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { PageQueryDto, TimelineQueryDto } from '../../../platform/records/list-query.dto.js';
import { RecordController, RecordSubList } from '../../../platform/records/record.controller.js';
import { ActivityPageDto } from '../../customers/activities/activities.controller.js';
import { ActivitiesService } from '../../customers/activities/activities.service.js';
import { idOf, Route } from '../sales-routes.js';
import { AddContactRoleInput, ContactRoleDto, ContactRoleListDto } from './contact-role.dto.js';
import { ContactRolesService } from './contact-roles.service.js';
import { AddLineItemInput, LineItemDto, LineItemListDto, UpdateLineItemInput } from './line-item.dto.js';
import { LineItemsService } from './line-items.service.js';
import { CreateOpportunityInput, OpportunityDto, UpdateOpportunityInput } from './opportunity.dto.js';
import { OPPORTUNITY } from './opportunity.object.js';
import { OpportunitiesService } from './opportunities.service.js';
import { StageHistoryPageDto } from './stage-history.dto.js';
import { StageHistoryService } from './stage-history.service.js';

const id = idOf('opportunity');
const OPP = { id: 'The opportunity id.' };

@ApiTags('opportunities')
@ApiBearerAuth('bearer')
@Controller('v1/opportunities')
export class OpportunitiesController extends RecordController({
  typeName: 'Opportunity',
  plural: 'opportunities',
  output: OpportunityDto,
  create: CreateOpportunityInput,
  update: UpdateOpportunityInput,
}) {
  constructor(
    protected readonly service: OpportunitiesService,
    private readonly activities: ActivitiesService,
    private readonly history: StageHistoryService,
    private readonly roles: ContactRolesService,
    private readonly lineItems: LineItemsService,
  ) {
    super();
  }

  @RecordSubList('timeline', {
    object: 'opportunity',
    summary: 'Opportunity timeline',
    description: 'The opportunity’s activities, newest first, cursor-paginated.',
    page: ActivityPageDto,
    permissions: ['opportunities:read', 'activities:read'],
  })
  async timeline(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Query() query: TimelineQueryDto,
  ) {
    return this.toBody(await this.activities.linkedTimeline(ctx, OPPORTUNITY, oppId, query));
  }

  @RecordSubList('stage-history', {
    object: 'opportunity',
    summary: 'Stage history',
    description:
      'Every stage the opportunity entered (the first one included), newest first: from, to, when, by whom, and the seconds it spent in the stage it left. Cursor-paginated (limit, cursor). Needs read access to the opportunity (404 otherwise) and stageId readable.',
    page: StageHistoryPageDto,
    permissions: ['opportunities:read'],
  })
  async stageHistory(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Query() query: PageQueryDto,
  ) {
    const page = await this.history.page(ctx, oppId, query);
    return { data: page.data, nextCursor: page.nextCursor };
  }

  @RecordSubList('contact-roles', {
    object: 'opportunity',
    summary: 'List contact roles',
    description:
      'The contacts involved in the deal and their roles (only contacts visible to you); isPrimary marks the opportunity’s primaryContactId.',
    page: ContactRoleListDto,
    permissions: ['opportunities:read', 'contacts:read'],
  })
  async listContactRoles(@Ctx() ctx: RequestContext, @Param('id', id) oppId: string) {
    return { data: await this.roles.list(ctx, oppId) };
  }

  @Route('POST', ':id/contact-roles', {
    summary: 'Add a contact role',
    description:
      'Involves a contact in the deal with a role (one role per contact: a second is a 409). isPrimary: true also makes the contact the opportunity’s primaryContactId.',
    permissions: ['opportunities:update', 'contacts:read'],
    params: OPP,
    body: AddContactRoleInput,
    status: 201,
    response: ContactRoleDto,
    problems: [400, 401, 403, 404, 409],
  })
  addContactRole(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Body(createValidationPipe(AddContactRoleInput)) input: AddContactRoleInput,
  ) {
    return this.roles.add(ctx, oppId, input);
  }

  @Route('DELETE', ':id/contact-roles/:roleId', {
    summary: 'Remove a contact role',
    description: 'Removing the primary contact’s role also clears the opportunity’s primaryContactId.',
    permissions: ['opportunities:update'],
    params: { ...OPP, roleId: 'The contact role id.' },
  })
  async removeContactRole(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Param('roleId', idOf('contact role')) roleId: string,
  ): Promise<void> {
    await this.roles.remove(ctx, oppId, roleId);
  }

  @RecordSubList('line-items', {
    object: 'opportunity',
    summary: 'List line items',
    description:
      'The products on the deal with quantity, unit price, discount and total; the opportunity’s amount is the sum of the totals. Needs amount readable.',
    page: LineItemListDto,
    permissions: ['opportunities:read'],
  })
  async listLineItems(@Ctx() ctx: RequestContext, @Param('id', id) oppId: string) {
    return { data: await this.lineItems.list(ctx, oppId) };
  }

  @Route('POST', ':id/line-items', {
    summary: 'Add a line item',
    description:
      'Adds a product (active, priced in the opportunity’s currency; an opportunity without a currency takes the product’s). unitPrice defaults to the product’s. The opportunity’s amount becomes the sum of its lines in the same transaction.',
    permissions: ['opportunities:update', 'products:read'],
    params: OPP,
    body: AddLineItemInput,
    status: 201,
    response: LineItemDto,
  })
  addLineItem(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Body(createValidationPipe(AddLineItemInput)) input: AddLineItemInput,
  ) {
    return this.lineItems.add(ctx, oppId, input);
  }

  @Route('PATCH', ':id/line-items/:lineItemId', {
    summary: 'Update a line item',
    description:
      'Merge patch of quantity, unitPrice (null: back to the product’s price), discountPercent, description; the amount follows.',
    permissions: ['opportunities:update', 'products:read'],
    params: { ...OPP, lineItemId: 'The line item id.' },
    body: UpdateLineItemInput,
    response: LineItemDto,
  })
  updateLineItem(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Param('lineItemId', idOf('line item')) itemId: string,
    @Body(createValidationPipe(UpdateLineItemInput)) patch: UpdateLineItemInput,
  ) {
    return this.lineItems.update(ctx, oppId, itemId, patch);
  }

  @Route('DELETE', ':id/line-items/:lineItemId', {
    summary: 'Remove a line item',
    description: 'The amount follows (0.00 once the last line is gone, and editable again).',
    permissions: ['opportunities:update'],
    params: { ...OPP, lineItemId: 'The line item id.' },
  })
  async removeLineItem(
    @Ctx() ctx: RequestContext,
    @Param('id', id) oppId: string,
    @Param('lineItemId', idOf('line item')) itemId: string,
  ): Promise<void> {
    await this.lineItems.remove(ctx, oppId, itemId);
  }
}
