import { Global, Module } from '@nestjs/common';
import { AppConfig } from './config.js';

/** Provides the one AppConfig instance built at boot (see main.ts / createApp). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
