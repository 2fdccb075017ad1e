import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Public } from '../auth/public.decorator.js';

@ObjectType({ description: 'Facts about this Rapport server.' })
export class ServerInfo {
  @Field({ description: 'API version.' })
  version: string;
}

@Resolver(() => ServerInfo)
export class ServerInfoResolver {
  @Public()
  @Query(() => ServerInfo, { description: 'Facts about this server; needs no token (a connectivity check).' })
  serverInfo(): ServerInfo {
    return { version: '0.1.0' };
  }
}
