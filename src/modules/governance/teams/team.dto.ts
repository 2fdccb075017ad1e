import { InputType, ObjectType } from '@nestjs/graphql';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

@ObjectType('Team', { description: 'A group of users; records can be shared with a team.' })
export class TeamDto {
  @OutputProp({ kind: 'uuid', description: 'Team id.' }) id: string;
  @OutputProp({ kind: 'string', description: 'Unique name within the tenant.', example: 'EMEA sales' })
  name: string;
  @OutputProp({ kind: 'string', nullable: true, description: 'What the team is for.' }) description:
    string | null;
  @OutputProp({ kind: 'stringArray', description: 'Ids of the team’s members.' }) memberIds: string[];
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@InputType('CreateTeamInput')
export class CreateTeamInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 100,
    description: 'Unique name within the tenant.',
  })
  name: string;
  @InputProp({ kind: 'string', maxLength: 500, description: 'What the team is for.' })
  description?: string | null;
}

@InputType('UpdateTeamInput')
export class UpdateTeamInput extends PartialInput(CreateTeamInput) {}
