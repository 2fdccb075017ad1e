import { Body, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RecordController } from '../../../platform/records/record.controller.js';
import { Route } from '../../sales/sales-routes.js';
import {
  CreateSlaPolicyInput,
  SlaPolicyDto,
  SlaPolicyListDto,
  SlaPolicyOrderInput,
  UpdateSlaPolicyInput,
} from './sla-policy.dto.js';
import { SlaPoliciesService } from './sla-policies.service.js';

@ApiTags('service')
@ApiBearerAuth('bearer')
@Controller('v1/sla-policies')
export class SlaPoliciesController extends RecordController({
  typeName: 'SlaPolicy',
  plural: 'sla-policies',
  output: SlaPolicyDto,
  create: CreateSlaPolicyInput,
  update: UpdateSlaPolicyInput,
}) {
  constructor(protected readonly service: SlaPoliciesService) {
    super();
  }

  @Route('PUT', 'order', {
    summary: 'Reorder the SLA policies',
    description:
      'Sets the evaluation order: `policyIds` lists every live policy exactly once (400 otherwise). Answers the policies in their new order.',
    permissions: ['sla-policies:update'],
    body: SlaPolicyOrderInput,
    response: SlaPolicyListDto,
    problems: [400, 401, 403],
  })
  async reorder(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(SlaPolicyOrderInput)) input: SlaPolicyOrderInput,
  ) {
    return this.toBody(await this.service.reorder(ctx, input.policyIds));
  }
}
