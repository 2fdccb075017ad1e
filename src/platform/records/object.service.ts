import { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';
import { normalizeFilter, parseFilterInput, type NormNode } from '../query/index.js';
import { ObjectDef, registry, RelationDef, ToManyRelation } from '../registry/object-registry.js';
import { assertPermission } from '../security/assert-permission.js';
import { recordPermission, type RecordAction } from '../security/permissions.js';
import { ChildPage, ChildQuery, ListScope, RecordService } from './record.service.js';
import type { GetOptions, ListOptions, Page, RecordData } from './record.types.js';

/** The field that names a record's owner; setting it is an assignment (`<plural>:assign`). */
const OWNER_FIELD = 'ownerId';

/**
 * A record service bound to one object. Modules extend it and add their own rules around the
 * generic operations; REST controllers and GraphQL resolvers call only this.
 *
 * Object permissions are checked here as well as by the route's @RequirePermission, so that no
 * path into the data (a nested GraphQL relation, an `expand`, a filter through a relation, a
 * module's own service call) reaches an object the caller may not read:
 * - every operation needs `<plural>:<action>` on this object (restore counts as delete);
 * - `expand`, filters through relations and nested relations need read on the related object;
 * - `ownerId` in a create or update needs `<plural>:assign` (400 naming it otherwise; giving a
 *   new record to yourself is not an assignment), and a create without it is owned by the
 *   calling user, which record-level security starts from.
 */
export class ObjectService {
  constructor(
    protected readonly records: RecordService,
    readonly object: ObjectDef,
  ) {}

  list(ctx: RequestContext, options: ListOptions, scope?: ListScope): Promise<Page> {
    this.require(ctx, 'read');
    this.requireRelatedRead(ctx, options.expand, options.filter);
    return this.records.list(ctx, this.object, options, scope);
  }

  get(ctx: RequestContext, id: string, options?: GetOptions): Promise<RecordData> {
    this.require(ctx, 'read');
    this.requireRelatedRead(ctx, options?.expand, undefined);
    return this.records.get(ctx, this.object, id, options);
  }

  /** By id, for relations (GraphQL `contact.account`): FORBIDDEN, so the field is null with an error, without read. */
  getMany(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, RecordData>> {
    this.require(ctx, 'read');
    return this.records.getMany(ctx, this.object, ids);
  }

  /** Children of several parents through one of this object's to-many relations (needs read on the children). */
  listChildren(
    ctx: RequestContext,
    relationName: string,
    parentIds: readonly string[],
    query: ChildQuery,
  ): Promise<Map<string, ChildPage>> {
    const rel = registry.relation(this.object, relationName);
    if (!rel || rel.kind !== 'toMany')
      throw new Error(`${this.object.name}.${relationName} is not a to-many relation`);
    assertPermission(ctx, recordPermission(registry.get(rel.target).plural, 'read'));
    this.requireRelatedRead(ctx, undefined, query.filter, registry.get(rel.target));
    return this.records.listChildren(ctx, rel as ToManyRelation, parentIds, query);
  }

  create(ctx: RequestContext, input: object): Promise<RecordData> {
    this.require(ctx, 'create');
    const values: Record<string, unknown> = { ...input };
    const self = ctx.principal.userId;
    if (values[OWNER_FIELD] !== undefined) {
      if (values[OWNER_FIELD] !== self || !self) this.requireAssign(ctx);
    } else if (self && registry.field(this.object, OWNER_FIELD)) {
      values[OWNER_FIELD] = self;
    }
    return this.records.create(ctx, this.object, values);
  }

  update(ctx: RequestContext, id: string, patch: object, expectedVersion?: number): Promise<RecordData> {
    this.require(ctx, 'update');
    const values: Record<string, unknown> = { ...patch };
    // Any owner change (to yourself, to someone else, or to nobody) hands a record over.
    if (values[OWNER_FIELD] !== undefined) this.requireAssign(ctx);
    return this.records.update(ctx, this.object, id, values, expectedVersion);
  }

  remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    this.require(ctx, 'delete');
    return this.records.remove(ctx, this.object, id, expectedVersion);
  }

  restore(ctx: RequestContext, id: string): Promise<RecordData> {
    this.require(ctx, 'delete');
    return this.records.restore(ctx, this.object, id);
  }

  protected require(ctx: RequestContext, action: RecordAction): void {
    assertPermission(ctx, recordPermission(this.object.plural, action));
  }

  /** Mass assignment of the owner: a 400 naming the field, as for any other field the caller may not set. */
  private requireAssign(ctx: RequestContext): void {
    const permission = recordPermission(this.object.plural, 'assign');
    if (ctx.can(permission)) return;
    const message = `ownerId can be set only with the ${permission} permission`;
    throw new DomainError('VALIDATION_FAILED', `Invalid ${this.object.name}: ${message}.`, [
      { field: OWNER_FIELD, code: 'forbidden', message },
    ]);
  }

  /** Read on every object an `expand` or a filter reaches through a relation. */
  private requireRelatedRead(
    ctx: RequestContext,
    expand: string | string[] | undefined,
    filter: unknown,
    root: ObjectDef = this.object,
  ): void {
    const targets = new Set<ObjectDef>();
    const names = (Array.isArray(expand) ? expand.join(',') : (expand ?? '')).split(',');
    for (const name of names) {
      const rel = registry.relation(root, name.trim());
      if (rel) targets.add(registry.get(rel.target));
    }
    // A malformed filter is left for the record layer to report in full.
    let node: NormNode | undefined;
    try {
      const parsed = parseFilterInput(filter);
      node = parsed ? normalizeFilter(parsed) : undefined;
    } catch {
      node = undefined;
    }
    if (node) collectFilterTargets(root, node, targets);
    targets.delete(root);
    const needed = [...targets].map((t) => recordPermission(t.plural, 'read'));
    if (needed.length > 0) assertPermission(ctx, ...needed);
  }
}

/** The objects a filter reaches through relations (to-one paths and `any`); unknown names are skipped. */
function collectFilterTargets(object: ObjectDef, node: NormNode, out: Set<ObjectDef>): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const item of node.items) collectFilterTargets(object, item, out);
      return;
    case 'not':
      collectFilterTargets(object, node.item, out);
      return;
    case 'cond':
    case 'any': {
      let current: ObjectDef | undefined = object;
      const hops = node.kind === 'cond' ? node.path.slice(0, -1) : node.path;
      for (const hop of hops) {
        const rel: RelationDef | undefined = current ? registry.relation(current, hop) : undefined;
        current = rel && registry.has(rel.target) ? registry.get(rel.target) : undefined;
        if (!current) return;
        out.add(current);
      }
      if (node.kind === 'any' && current) collectFilterTargets(current, node.filter, out);
    }
  }
}
