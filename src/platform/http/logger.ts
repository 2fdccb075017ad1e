import { LoggerService } from '@nestjs/common';
import { pino, Logger } from 'pino';

/**
 * JSON lines on stdout. Written asynchronously: under load, lines that arrive while a write is in
 * flight go out together in the next one instead of one blocking write(2) each (a tenth of a short
 * request's time in bench/ profiles); an idle server still writes each line at once. pino flushes
 * what is buffered when the process exits.
 */
export function createRootLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'rapport' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Routes Nest's own log lines into the same pino JSON stream as the request logs. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
