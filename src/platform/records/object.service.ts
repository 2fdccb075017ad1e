import { RequestContext } from '../context/request-context.js';
import { ObjectDef, registry, ToManyRelation } from '../registry/object-registry.js';
import { ChildPage, ChildQuery, ListScope, RecordService } from './record.service.js';
import type { GetOptions, ListOptions, Page, RecordData } from './record.types.js';

/**
 * A record service bound to one object. Modules extend it and add their own rules around the
 * generic operations; REST controllers and GraphQL resolvers call only this.
 */
export class ObjectService {
  constructor(
    protected readonly records: RecordService,
    readonly object: ObjectDef,
  ) {}

  list(ctx: RequestContext, options: ListOptions, scope?: ListScope): Promise<Page> {
    return this.records.list(ctx, this.object, options, scope);
  }

  get(ctx: RequestContext, id: string, options?: GetOptions): Promise<RecordData> {
    return this.records.get(ctx, this.object, id, options);
  }

  getMany(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, RecordData>> {
    return this.records.getMany(ctx, this.object, ids);
  }

  /** Children of several parents through one of this object's to-many relations. */
  listChildren(
    ctx: RequestContext,
    relationName: string,
    parentIds: readonly string[],
    query: ChildQuery,
  ): Promise<Map<string, ChildPage>> {
    const rel = registry.relation(this.object, relationName);
    if (!rel || rel.kind !== 'toMany')
      throw new Error(`${this.object.name}.${relationName} is not a to-many relation`);
    return this.records.listChildren(ctx, rel as ToManyRelation, parentIds, query);
  }

  create(ctx: RequestContext, input: object): Promise<RecordData> {
    return this.records.create(ctx, this.object, { ...input });
  }

  update(ctx: RequestContext, id: string, patch: object, expectedVersion?: number): Promise<RecordData> {
    return this.records.update(ctx, this.object, id, { ...patch }, expectedVersion);
  }

  remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    return this.records.remove(ctx, this.object, id, expectedVersion);
  }

  restore(ctx: RequestContext, id: string): Promise<RecordData> {
    return this.records.restore(ctx, this.object, id);
  }
}
