import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/config.js';
import { CountingLogger } from './query-counter.js';
import { TenantDb } from './tenant-db.js';

/** TypeORM over pg. Schema changes come only from migrations/ (synchronize stays off). */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string) {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            type: 'postgres' as const,
            url: databaseUrl,
            autoLoadEntities: true,
            synchronize: false,
            migrationsRun: false,
            // The owner's pool only serves migrations, signing keys and health checks; requests use
            // TenantDb's pool of DATABASE_POOL_SIZE sessions.
            poolSize: Math.min(3, config.DATABASE_POOL_SIZE),
            logging: ['query', 'error', 'warn'],
            logger: new CountingLogger(),
            maxQueryExecutionTime: 1000,
            extra: { application_name: 'rapport' },
          }),
        }),
      ],
      providers: [TenantDb],
      exports: [TenantDb],
    };
  }
}
