import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';

@ObjectType({ description: 'Facts about this Rapport server.' })
export class ServerInfo {
  @Field({ description: 'API version.' })
  version: string;
}

@Resolver(() => ServerInfo)
export class ServerInfoResolver {
  @Query(() => ServerInfo, { description: 'Facts about this server; needs no special permission.' })
  serverInfo(): ServerInfo {
    return { version: '0.1.0' };
  }
}
