import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { JobsService } from './jobs.service.js';

/** Background jobs on pg-boss (global: any module registers its job kinds with JobsService). */
@Global()
@Module({})
export class JobsModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: JobsModule,
      providers: [
        {
          provide: JobsService,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => new JobsService(config, databaseUrl),
        },
      ],
      exports: [JobsService],
    };
  }
}
