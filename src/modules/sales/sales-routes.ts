import {
  applyDecorators,
  Delete,
  Get,
  HttpCode,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Type,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { DomainError } from '../../platform/http/domain-error.js';
import { ProblemDto } from '../../platform/http/problem.dto.js';
import { RequirePermission } from '../../platform/security/require-permission.decorator.js';

const METHODS = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

const PROBLEMS: Record<number, string> = {
  400: 'Invalid input (problem+json names each bad field).',
  401: 'Missing or invalid bearer token.',
  403: 'Not permitted (a missing permission, or a record you may see but not change).',
  404: 'No such record (or not visible to you).',
  409: 'Conflicts with the record’s state (problem+json says which).',
};

export interface RouteSpec {
  summary: string;
  description: string;
  permissions: [string, ...string[]];
  /** path parameters besides none: name → description (UUIDs) */
  params?: Record<string, string>;
  body?: Type<unknown>;
  /** success status (default 200; 201 for POST that creates, 204 without a response type) */
  status?: number;
  response?: Type<unknown> | [Type<unknown>];
  problems?: number[];
}

/**
 * One REST route of a sales sub-resource (stages of a pipeline, stage history, contact roles and
 * line items of an opportunity, lead conversion, assignment rules): method and path, the
 * permissions it needs (deny by default) and its OpenAPI description, in one decorator.
 */
export function Route(method: keyof typeof METHODS, path: string, spec: RouteSpec): MethodDecorator {
  const status = spec.status ?? (spec.response ? 200 : 204);
  return applyDecorators(
    METHODS[method](path),
    HttpCode(status),
    RequirePermission(...spec.permissions),
    ApiOperation({ summary: spec.summary, description: spec.description }),
    ...Object.entries(spec.params ?? {}).map(([name, description]) =>
      ApiParam({ name, format: 'uuid', description }),
    ),
    ...(spec.body ? [ApiBody({ type: spec.body })] : []),
    spec.response
      ? ApiResponse({ status, type: spec.response, description: 'Success.' })
      : ApiResponse({ status, description: 'Done.' }),
    ...(spec.problems ?? [400, 401, 403, 404]).map((s) =>
      ApiResponse({ status: s, type: ProblemDto, description: PROBLEMS[s] ?? 'Error' }),
    ),
  );
}

/** A path id that is not a UUID names nothing: 404, as for records. */
export const idOf = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new DomainError('NOT_FOUND', `No ${what} with that id.`) });
