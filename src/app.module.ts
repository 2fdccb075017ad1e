import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AppConfig } from './platform/config/config.js';
import { ConfigModule } from './platform/config/config.module.js';
import { DatabaseModule } from './platform/database/database.module.js';
import { JobsModule } from './platform/jobs/jobs.module.js';
import { OutboxModule } from './platform/outbox/outbox.module.js';
import { graphqlOptions } from './platform/graphql/graphql-options.js';
import { ServerInfoResolver } from './platform/graphql/server-info.resolver.js';
import { ProblemFilter } from './platform/http/problem.filter.js';
import { ObservabilityModule } from './platform/http/observability.module.js';
import { IdempotencyModule } from './platform/http/idempotency.module.js';
import { RecordBatchModule } from './platform/records/record-batch.service.js';
import { AuthModule } from './platform/auth/auth.module.js';
import { CustomersModule } from './modules/customers/customers.module.js';
import { SalesModule } from './modules/sales/sales.module.js';
import { GovernanceModule } from './modules/governance/governance.module.js';
import { SecurityModule } from './platform/security/security.module.js';
import { AuditApiModule } from './modules/governance/audit/audit-api.module.js';
import { SharingModule } from './modules/governance/sharing/sharing.module.js';
import { IntegrationModule } from './modules/integration/integration.module.js';
import { PolicyModule } from './platform/security/policy/policy.module.js';
import { KnowledgeModule } from './modules/service/knowledge/knowledge.module.js';
import { InsightsModule } from './modules/service/insights/insights.module.js';
import { SlaModule } from './modules/service/sla/sla.module.js';
import { ServiceModule } from './modules/service/service.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl),
        JobsModule.forRoot(databaseUrl),
        OutboxModule,
        GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, ...graphqlOptions(config) }),
        ObservabilityModule,
        IdempotencyModule,
        RecordBatchModule,
        AuthModule,
        // After AuthModule: its permission guard needs the context the authentication guard builds.
        SecurityModule,
        // Record- and field-level security (global): the record layer enforces it.
        PolicyModule,
        CustomersModule,
        SalesModule,
        GovernanceModule,
        AuditApiModule,
        SharingModule,
        IntegrationModule,
        KnowledgeModule,
        InsightsModule,
        SlaModule,
        ServiceModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }, ServerInfoResolver],
    };
  }
}
