import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

/** The signed-in user; one class for the REST body (GET /v1/me), the GraphQL type and the OpenAPI schema. */
@ObjectType('Viewer', { description: 'The user the access token belongs to.' })
export class ViewerDto {
  @Field(() => ID, { description: 'User id.' })
  @ApiProperty({ format: 'uuid', description: 'User id.' })
  id: string;

  @Field({ description: 'Sign-in email, lower-case.' })
  @ApiProperty({ format: 'email', description: 'Sign-in email, lower-case.' })
  email: string;

  @Field({ description: 'Name shown to other users.' })
  @ApiProperty({ description: 'Name shown to other users.' })
  displayName: string;

  @Field(() => ID, { description: 'Tenant the user belongs to.' })
  @ApiProperty({ format: 'uuid', description: 'Tenant the user belongs to.' })
  tenantId: string;

  @Field({ description: 'Whether the user is a tenant administrator.' })
  @ApiProperty({ description: 'Whether the user is a tenant administrator.' })
  isAdmin: boolean;
}
