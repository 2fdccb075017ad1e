import { Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldIssue } from './domain-error.js';

function flatten(errors: ValidationError[], prefix = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [code, message] of Object.entries(e.constraints ?? {})) {
      if (code === 'whitelistValidation') {
        out.push({ field: path, code: 'unknown_property', message: `property ${path} is not allowed` });
      } else {
        out.push({ field: path, code, message });
      }
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/** Whitelisting validation: unknown properties are refused, each bad field is named. */
export function createValidationPipe(expectedType?: Type<unknown>): ValidationPipe {
  return new ValidationPipe({
    expectedType,
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const issues = flatten(errors);
      return new DomainError(
        'VALIDATION_FAILED',
        `The request has ${issues.length} invalid field${issues.length === 1 ? '' : 's'}: ${[...new Set(issues.map((i) => i.field))].join(', ')}.`,
        issues,
      );
    },
  });
}
