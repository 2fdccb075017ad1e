import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { AccountDto } from '../../customers/accounts/account.dto.js';
import { ActivityDto } from '../../customers/activities/activity.dto.js';
import { ContactDto } from '../../customers/contacts/contact.dto.js';
import { OpportunityDto } from '../../sales/opportunities/opportunity.dto.js';
import { CaseDto } from '../cases/case.dto.js';
import { KnowledgeArticleDto } from '../knowledge/knowledge-article.dto.js';
import { CONTEXT_PARTS } from './case-context.service.js';

const WITHHELD = 'null when withheld (see restricted)';

@ObjectType('CaseContext', {
  description:
    'The 360° context of a case. Every part obeys your permissions and record- and field-level security; a part you may not read is null and named in `restricted`.',
})
export class CaseContextDto {
  @Field(() => ID, { description: 'The case.' })
  @ApiProperty({ format: 'uuid', description: 'The case.' })
  caseId: string;

  @Field(() => ContactDto, {
    nullable: true,
    description: `The case’s contact (null when none; ${WITHHELD}).`,
  })
  @ApiProperty({
    type: ContactDto,
    nullable: true,
    description: `The case’s contact (null when none; ${WITHHELD}).`,
  })
  contact: ContactDto | null;

  @Field(() => AccountDto, {
    nullable: true,
    description: `The case’s account, else the contact’s account (null when none; ${WITHHELD}).`,
  })
  @ApiProperty({
    type: AccountDto,
    nullable: true,
    description: `The case’s account, else the contact’s account (null when none; ${WITHHELD}).`,
  })
  account: AccountDto | null;

  @Field(() => [OpportunityDto], {
    nullable: true,
    description: `Open opportunities (no closedAt) of the account or with the contact as primary contact, by close date, at most 20 (${WITHHELD}).`,
  })
  @ApiProperty({
    type: [OpportunityDto],
    nullable: true,
    description: `Open opportunities (no closedAt) of the account or with the contact as primary contact, by close date, at most 20 (${WITHHELD}).`,
  })
  openOpportunities: OpportunityDto[] | null;

  @Field(() => [CaseDto], {
    nullable: true,
    description: `The contact’s or account’s other cases, newest first, at most 10, with their status (${WITHHELD}).`,
  })
  @ApiProperty({
    type: [CaseDto],
    nullable: true,
    description: `The contact’s or account’s other cases, newest first, at most 10: id, number, subject, status, priority, channel, links, createdAt, resolvedAt (${WITHHELD}).`,
  })
  recentCases: CaseDto[] | null;

  @Field(() => [ActivityDto], {
    nullable: true,
    description: `Activities on the contact or the account, newest first, at most 20 (${WITHHELD}).`,
  })
  @ApiProperty({
    type: [ActivityDto],
    nullable: true,
    description: `Activities on the contact or the account, newest first, at most 20 (${WITHHELD}).`,
  })
  recentActivities: ActivityDto[] | null;

  @Field(() => [KnowledgeArticleDto], {
    nullable: true,
    description: `Published articles matching words of the case subject, most relevant first, at most 5 (${WITHHELD}).`,
  })
  @ApiProperty({
    type: [KnowledgeArticleDto],
    nullable: true,
    description: `Published articles matching words of the case subject, most relevant first, at most 5 (${WITHHELD}).`,
  })
  suggestedArticles: KnowledgeArticleDto[] | null;

  @Field(() => [String], {
    description: `The parts withheld from you: ${CONTEXT_PARTS.join(', ')} (no permission, a record or a link field you may not read).`,
  })
  @ApiProperty({
    type: [String],
    enum: [...CONTEXT_PARTS],
    description: 'The parts withheld from you (no permission, a record or a link field you may not read).',
  })
  restricted: string[];
}
