import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AppConfig } from './platform/config/config.js';
import { ConfigModule } from './platform/config/config.module.js';
import { DatabaseModule } from './platform/database/database.module.js';
import { graphqlOptions } from './platform/graphql/graphql-options.js';
import { ServerInfoResolver } from './platform/graphql/server-info.resolver.js';
import { ProblemFilter } from './platform/http/problem.filter.js';
import { ObservabilityModule } from './platform/http/observability.module.js';
import { AuthModule } from './platform/auth/auth.module.js';
import { CustomersModule } from './modules/customers/customers.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl),
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, ...graphqlOptions(config) }),
        ObservabilityModule,
        AuthModule,
        CustomersModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }, ServerInfoResolver],
    };
  }
}
