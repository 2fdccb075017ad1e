import { applyDecorators, ParseUUIDPipe, Type } from '@nestjs/common';
import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { RequestContext } from '../../platform/context/request-context.js';
import { UUID_RE } from '../../platform/database/ids.js';
import type { TenantDb } from '../../platform/database/tenant-db.js';
import { DomainError } from '../../platform/http/domain-error.js';
import { ProblemDto } from '../../platform/http/problem.dto.js';
import { parseLimit, MAX_LIMIT } from '../../platform/query/index.js';
import { SqlParams } from '../../platform/query/sql.js';
import { PageQueryDto } from '../../platform/records/list-query.dto.js';
import type { Page, RecordData } from '../../platform/records/record.types.js';

/**
 * Lists of governance objects (users, roles, teams): keyset pages on the id, which is a
 * time-ordered UUIDv7, so pages come in creation order and a cursor is just the last id. They
 * take no filter or sort; tenants have tens to hundreds of these, not millions.
 */
export class AdminListQueryDto extends PageQueryDto {}

@ArgsType()
export class AdminPageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1–${MAX_LIMIT} (default 50).` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  first?: number;

  @Field({ nullable: true, description: 'Cursor from pageInfo.endCursor.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;
}

export interface AdminPageRequest {
  limit?: string | number;
  cursor?: string;
}

export interface Keyset {
  limit: number;
  /** rows come strictly after this id */
  after: string | null;
}

export function keyset(request: AdminPageRequest): Keyset {
  return { limit: parseLimit(request.limit), after: request.cursor ? decodeCursor(request.cursor) : null };
}

/** `AND t.id > $n ORDER BY t.id LIMIT n+1`: the tail of a keyset list query. */
export function keysetSql(page: Keyset, params: SqlParams, alias: string): string {
  const after = page.after ? ` AND ${alias}.id > ${params.add(page.after)}::uuid` : '';
  return `${after} ORDER BY ${alias}.id LIMIT ${params.add(page.limit + 1)}`;
}

/**
 * One keyset page of `SELECT <columns> FROM <table> <alias>` in the caller's tenant (RLS), rows
 * mapped by `present`: the whole list operation of a governance object without a filter.
 */
export async function listAdminPage<T extends { id: string }>(
  db: TenantDb,
  ctx: RequestContext,
  from: { columns: string; table: string; alias: string },
  request: AdminPageRequest,
  present: (row: T) => T = (row) => row,
): Promise<Page> {
  const page = keyset(request);
  const rows = await db.run(ctx, (em) => {
    const params = new SqlParams();
    return em.query(
      `SELECT ${from.columns} FROM ${from.table} ${from.alias} WHERE true${keysetSql(page, params, from.alias)}`,
      params.values,
    ) as Promise<T[]>;
  });
  return toAdminPage(rows.map(present), page);
}

/** Cuts the extra row off and makes the cursors (one per row, for GraphQL edges). */
export function toAdminPage<T extends { id: string }>(rows: T[], page: Keyset): Page {
  const data = rows.slice(0, page.limit);
  const cursors = data.map((r) => encodeCursor(r.id));
  return {
    data: data as unknown as RecordData[],
    nextCursor: rows.length > page.limit ? (cursors[cursors.length - 1] ?? null) : null,
    cursors,
  };
}

const encodeCursor = (id: string): string =>
  Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  let id: unknown;
  try {
    id = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown }).id;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string' || !UUID_RE.test(id)) {
    throw new DomainError('INVALID_CURSOR', 'The cursor is not one this list gave out.', [
      { field: 'cursor', code: 'INVALID_CURSOR', message: 'The cursor is not one this list gave out.' },
    ]);
  }
  return id;
}

/** `{ data, nextCursor }`: the REST body of an admin list (the cursors are for GraphQL). */
export function pageBody(page: Page): { data: unknown[]; nextCursor: string | null } {
  return { data: page.data, nextCursor: page.nextCursor };
}

/** `<Type>Page` for OpenAPI. */
export function adminPageType(item: Type<unknown>, name: string): Type<unknown> {
  class AdminPageDto {
    @ApiProperty({ type: [item], description: `The page of ${name} objects.` })
    data: unknown[];
    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Cursor of the next page; null on the last page.',
    })
    nextCursor: string | null;
  }
  Object.defineProperty(AdminPageDto, 'name', { value: `${name}Page` });
  return AdminPageDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (problem+json names each bad field).',
  401: 'Missing or invalid bearer token.',
  403: 'Not permitted (a missing permission, or granting more than you hold).',
  404: 'No such object in your tenant.',
  409: 'Conflicts with the current state (duplicate name, built-in, in use, yourself).',
};

/** Problem responses for OpenAPI: `@problems(400, 401, 403)`. */
export const problems = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, type: ProblemDto, description: DESCRIPTIONS[status] ?? 'Error' }),
    ),
  );

/** A path id that is not a UUID cannot name anything: 404, as for records. */
export const idPipe = (what: string) =>
  new ParseUUIDPipe({ exceptionFactory: () => new DomainError('NOT_FOUND', `No ${what} with that id.`) });

/** Postgres error code of a TypeORM/pg failure. */
export function pgCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const driver = (e as { driverError?: unknown }).driverError;
  const source = typeof driver === 'object' && driver !== null ? driver : e;
  const code = (source as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
