import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { Connection, ConnectionType, toConnection } from '../../../platform/records/connection.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import {
  AccessExplanationDto,
  FieldPolicyDto,
  FieldPolicyInput,
  RecordAccessArgs,
  RecordShareDto,
  RecordShareInput,
  SharingSettingDto,
  SharingSettingInput,
  ShareListArgs,
} from './sharing.dto.js';
import { SHARING_MANAGE, SharingService } from './sharing.service.js';

const ShareConnection = ConnectionType(RecordShareDto, 'RecordShare');

/** The sharing admin API in GraphQL (REST: /v1/sharing-settings, /v1/shares, /v1/field-policies, …/access). */
@Resolver()
export class SharingResolver {
  constructor(private readonly sharing: SharingService) {}

  @RequirePermission(SHARING_MANAGE)
  @Query(() => [SharingSettingDto], { description: 'Every object’s org-wide sharing default.' })
  sharingSettings(@Ctx() ctx: RequestContext): Promise<SharingSettingDto[]> {
    return this.sharing.listSettings(ctx);
  }

  @RequirePermission(SHARING_MANAGE)
  @Query(() => SharingSettingDto, { description: 'One object’s org-wide sharing default (`contacts`, …).' })
  sharingSetting(@Ctx() ctx: RequestContext, @Args('object') object: string): Promise<SharingSettingDto> {
    return this.sharing.getSetting(ctx, object);
  }

  @RequirePermission(SHARING_MANAGE)
  @Mutation(() => SharingSettingDto, { description: 'Set an object’s org-wide sharing default.' })
  setSharingSetting(
    @Ctx() ctx: RequestContext,
    @Args('object') object: string,
    @Args('input', { type: () => SharingSettingInput }, createValidationPipe(SharingSettingInput))
    input: SharingSettingInput,
  ): Promise<SharingSettingDto> {
    return this.sharing.putSetting(ctx, object, input.defaultAccess);
  }

  @RequirePermission(SHARING_MANAGE)
  @Query(() => ShareConnection, { description: 'Record shares, oldest first. REST: GET /v1/shares.' })
  async recordShares(@Ctx() ctx: RequestContext, @Args() args: ShareListArgs): Promise<Connection> {
    const { first, after, ...filters } = args;
    return toConnection(await this.sharing.listShares(ctx, { ...filters, limit: first, cursor: after }));
  }

  @RequirePermission(SHARING_MANAGE)
  @Mutation(() => RecordShareDto, {
    description: 'Share a record with a user, team or role (again: changes the access).',
  })
  async shareRecord(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => RecordShareInput }, createValidationPipe(RecordShareInput))
    input: RecordShareInput,
  ): Promise<RecordShareDto> {
    return (await this.sharing.share(ctx, input)).share;
  }

  @RequirePermission(SHARING_MANAGE)
  @Mutation(() => Boolean, { description: 'Remove a share.' })
  async deleteRecordShare(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.sharing.unshare(ctx, id);
    return true;
  }

  @RequirePermission(SHARING_MANAGE)
  @Query(() => FieldPolicyDto, { description: 'A role’s field policy for an object.' })
  fieldPolicy(
    @Ctx() ctx: RequestContext,
    @Args('roleId', { type: () => ID }, graphqlUuid) roleId: string,
    @Args('object') object: string,
  ): Promise<FieldPolicyDto> {
    return this.sharing.getFieldPolicy(ctx, roleId, object);
  }

  @RequirePermission(SHARING_MANAGE)
  @Mutation(() => FieldPolicyDto, { description: 'Set a role’s field policy for an object.' })
  setFieldPolicy(
    @Ctx() ctx: RequestContext,
    @Args('roleId', { type: () => ID }, graphqlUuid) roleId: string,
    @Args('object') object: string,
    @Args('input', { type: () => FieldPolicyInput }, createValidationPipe(FieldPolicyInput))
    input: FieldPolicyInput,
  ): Promise<FieldPolicyDto> {
    return this.sharing.putFieldPolicy(ctx, roleId, object, input);
  }

  @RequirePermission(SHARING_MANAGE)
  @Query(() => AccessExplanationDto, {
    description:
      'Why a user (default: you) can or cannot read and write a record. REST: GET /v1/{object}/{id}/access.',
  })
  recordAccess(@Ctx() ctx: RequestContext, @Args() args: RecordAccessArgs): Promise<AccessExplanationDto> {
    return this.sharing.explain(ctx, args.object, args.id, args.userId ?? undefined);
  }
}
