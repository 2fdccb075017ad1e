import { ApolloDriverConfig } from '@nestjs/apollo';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, GraphQLFormattedError, ValidationContext } from 'graphql';
import { AppConfig } from '../config/config.js';

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
export function formatGraphqlError(formatted: GraphQLFormattedError): GraphQLFormattedError {
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
    validationRules: [
      maxDepthRule({ n: config.GRAPHQL_MAX_DEPTH, ...REPORT }),
      maxAliasesRule({ n: config.GRAPHQL_MAX_ALIASES, ...REPORT }),
      costLimitRule({ maxCost: config.GRAPHQL_MAX_COST, ...REPORT }),
    ],
  };
}
