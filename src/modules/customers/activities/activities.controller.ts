import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RecordController } from '../../../platform/records/record.controller.js';
import { ActivityDto, CreateActivityInput, UpdateActivityInput } from './activity.dto.js';
import { ActivitiesService } from './activities.service.js';

/** A timeline page (the same shape as the activity list). */
export class ActivityPageDto {
  @ApiProperty({ type: [ActivityDto], description: 'Activities, newest first.' })
  data: ActivityDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last page.',
  })
  nextCursor: string | null;
}

@ApiTags('activities')
@ApiBearerAuth('bearer')
@Controller('v1/activities')
export class ActivitiesController extends RecordController({
  typeName: 'Activity',
  output: ActivityDto,
  create: CreateActivityInput,
  update: UpdateActivityInput,
}) {
  constructor(protected readonly service: ActivitiesService) {
    super();
  }
}
