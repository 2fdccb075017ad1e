import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloDriverConfig } from '@nestjs/apollo';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, GraphQLFormattedError, ValidationContext } from 'graphql';
import { AppConfig } from '../config/config.js';
import { toDomainError } from '../http/problem.js';
import { fieldSecurityMiddleware } from '../security/policy/graphql-field-guard.js';

/** Codes Apollo itself raises before our resolvers run, mapped to ours. */
const APOLLO_CODES: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: 'BAD_REQUEST',
  GRAPHQL_VALIDATION_FAILED: 'BAD_REQUEST',
  BAD_USER_INPUT: 'VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_REQUEST',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_REQUEST',
  OPERATION_RESOLUTION_FAILURE: 'BAD_REQUEST',
  BAD_REQUEST: 'BAD_REQUEST',
};

/** Strips stack traces and anything internal; every error leaves with extensions.code. */
export function formatGraphqlError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError {
  // Errors thrown in field resolvers (@ResolveField, DataLoader batches) skip Nest's exception
  // filter: map them the same way here, so a DomainError keeps its code and nothing else leaks.
  const original = error === undefined ? undefined : unwrapResolverError(error);
  if (original !== undefined && original !== null && !(original instanceof GraphQLError)) {
    const e = toDomainError(original);
    return {
      message: e.code === 'INTERNAL' ? 'An unexpected error occurred.' : e.detail,
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: e.code,
        status: e.status,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.errors.length ? { errors: e.errors } : {}),
      },
    };
  }
  const ext = { ...(formatted.extensions ?? {}) } as Record<string, unknown>;
  delete ext.stacktrace;
  delete ext.exception;
  delete ext.originalError;
  const code = typeof ext.code === 'string' ? (APOLLO_CODES[ext.code] ?? ext.code) : 'INTERNAL';
  const known = typeof ext.code === 'string';
  return {
    message: known ? formatted.message : 'An unexpected error occurred.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { ...ext, code },
  };
}

/** Report a limit breach as an ordinary validation error (a 400 with a clear message), not a throw. */
const REPORT = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

export function graphqlOptions(config: AppConfig): Omit<ApolloDriverConfig, 'driver'> {
  return {
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    introspection: config.GRAPHQL_INTROSPECTION,
    graphiql: false,
    includeStacktraceInErrorResponses: false,
    // One operation per request: arrays of operations are refused.
    allowBatchedHttpRequests: false,
    formatError: formatGraphqlError,
    // Field-level security: a field hidden from the caller resolves to null + FORBIDDEN_FIELD.
    buildSchemaOptions: { fieldMiddleware: [fieldSecurityMiddleware] },
    validationRules: [
      maxDepthRule({ n: config.GRAPHQL_MAX_DEPTH, ...REPORT }),
      maxAliasesRule({ n: config.GRAPHQL_MAX_ALIASES, ...REPORT }),
      costLimitRule({ maxCost: config.GRAPHQL_MAX_COST, ...REPORT }),
    ],
  };
}
