import type { FieldMiddleware } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { HIDDEN_FIELDS, HiddenMap } from './field-policy.js';

/**
 * Global GraphQL field middleware (graphql-options.ts): a field the record layer marked hidden on
 * its row (HIDDEN_FIELDS) resolves to null with a FORBIDDEN_FIELD error at its path, instead of
 * silently null. Relations whose foreign key is hidden are marked too, so `contact { account }`
 * with `accountId` hidden is refused the same way. Record output fields are nullable in the
 * schema for this reason (field-decorators.ts): only `id`, `createdAt`, `updatedAt` and
 * `version` can never be hidden.
 */
export const fieldSecurityMiddleware: FieldMiddleware = (mctx, next) => {
  const source: unknown = mctx.source;
  const info = mctx.info;
  if (source !== null && typeof source === 'object' && info) {
    const hidden = (source as { [HIDDEN_FIELDS]?: HiddenMap })[HIDDEN_FIELDS];
    const field = hidden?.get(info.fieldName);
    if (field !== undefined) {
      const message = `${info.parentType.name}.${info.fieldName} is hidden from you${field === info.fieldName ? '' : ` (it needs ${field})`}.`;
      throw new GraphQLError(message, {
        extensions: {
          code: 'FORBIDDEN_FIELD',
          status: 403,
          field,
          errors: [{ field, code: 'FORBIDDEN_FIELD', message }],
        },
      });
    }
  }
  return next();
};
