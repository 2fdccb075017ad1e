import { AbstractLogger, LogLevel, LogMessage, QueryRunner } from 'typeorm';

/**
 * TypeORM logger that counts statements (for N+1 tests and diagnostics) and forwards slow or
 * failed queries to the app log. It never prints SQL at info level.
 */
export class CountingLogger extends AbstractLogger {
  static statements = 0;

  constructor(private readonly sink: (level: 'warn' | 'debug', msg: string) => void = () => undefined) {
    super(['query', 'error', 'warn']);
  }

  override logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    CountingLogger.statements++;
    void query;
  }

  protected writeLog(level: LogLevel, message: LogMessage | LogMessage[]): void {
    if (level === 'query') return;
    const list = Array.isArray(message) ? message : [message];
    for (const m of list)
      this.sink(level === 'warn' || level === 'error' ? 'warn' : 'debug', String(m.message));
  }
}
