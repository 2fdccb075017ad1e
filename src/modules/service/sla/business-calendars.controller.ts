import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RecordController } from '../../../platform/records/record.controller.js';
import {
  BusinessCalendarDto,
  CreateBusinessCalendarInput,
  UpdateBusinessCalendarInput,
} from './business-calendar.dto.js';
import { BusinessCalendarsService } from './business-calendars.service.js';

@ApiTags('service')
@ApiBearerAuth('bearer')
@Controller('v1/business-calendars')
export class BusinessCalendarsController extends RecordController({
  typeName: 'BusinessCalendar',
  plural: 'business-calendars',
  output: BusinessCalendarDto,
  create: CreateBusinessCalendarInput,
  update: UpdateBusinessCalendarInput,
}) {
  constructor(protected readonly service: BusinessCalendarsService) {
    super();
  }
}
