import { RequestContext } from '../../platform/context/request-context.js';
import { requestLoader } from '../../platform/graphql/loaders.js';
import { ChildQuery } from '../../platform/records/record.service.js';
import { ObjectService } from '../../platform/records/object.service.js';
import type { RecordData } from '../../platform/records/record.types.js';
import { childConnection, Connection } from '../../platform/records/connection.js';

/** `service`'s record by id, batched per request: N parents cost one query, not N. */
export function loadById(
  request: object,
  ctx: RequestContext,
  service: ObjectService,
  id: string | null | undefined,
): Promise<RecordData | null> {
  if (!id) return Promise.resolve(null);
  const loader = requestLoader<string, RecordData | null>(
    request,
    `${service.object.name}:byId`,
    async (ids) => {
      const found = await service.getMany(ctx, ids);
      return ids.map((i) => found.get(i) ?? null);
    },
  );
  return loader.load(id);
}

/**
 * A page of a parent's children through a to-many relation, batched per request and per
 * argument set: all parents asking with the same filter/sort/first/after share one query.
 */
export function loadChildren(
  request: object,
  ctx: RequestContext,
  parentService: ObjectService,
  relation: string,
  parentId: string,
  query: ChildQuery,
): Promise<Connection> {
  const key = JSON.stringify([query.filter ?? null, query.sort ?? null, query.first, query.after ?? null]);
  const loader = requestLoader<string, Connection>(
    request,
    `${parentService.object.name}.${relation}:${key}`,
    async (ids) => {
      const pages = await parentService.listChildren(ctx, relation, ids, query);
      return ids.map((i) => childConnection(pages.get(i) ?? { rows: [], cursors: [], hasNextPage: false }));
    },
  );
  return loader.load(parentId);
}
