/**
 * The object registry: every CRM object declares its fields once, and the query engine, record
 * layer, field-level security, docs and exports all read the same declaration.
 */
export type FieldType =
  | 'string'
  | 'text'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'uuid'
  | 'datetime'
  | 'enum'
  | 'stringArray'
  | 'json';

export interface FieldDef {
  /** API name, camelCase */
  name: string;
  /** SQL column, snake_case */
  column: string;
  type: FieldType;
  enumValues?: readonly string[];
  nullable: boolean;
  filterable: boolean;
  sortable: boolean;
  /** personal data (GDPR): encrypted in audit diffs, erased on request */
  personal: boolean;
  /** 'always': clients may set it; 'create': only on create; 'never': system-managed */
  writable: 'always' | 'create' | 'never';
  description: string;
}

export interface ToOneRelation {
  kind: 'toOne';
  /** API name, e.g. 'account' */
  name: string;
  /** target object name, e.g. 'account' */
  target: string;
  /** the local FK field (API name), e.g. 'accountId' */
  field: string;
}

export interface ToManyRelation {
  kind: 'toMany';
  /** API name, e.g. 'contacts' */
  name: string;
  target: string;
  /** the FK field on the target that points back here (API name), e.g. 'accountId' */
  foreignField: string;
}

export type RelationDef = ToOneRelation | ToManyRelation;

export interface SortTerm {
  field: string;
  direction: 'asc' | 'desc';
}

export interface ObjectDef {
  /** singular API name, e.g. 'contact' */
  name: string;
  /** plural, used for REST paths and GraphQL lists, e.g. 'contacts' */
  plural: string;
  table: string;
  fields: FieldDef[];
  relations: RelationDef[];
  /** tsvector column used by `q` full-text search, if the object supports it */
  searchColumn?: string;
  /**
   * the fields the search column is built from (migrations): `q` is refused when field-level
   * security hides one of them, since a match would reveal the hidden value
   */
  searchFields?: readonly string[];
  /** applied when a list names no sort; the id tiebreak is always appended */
  defaultSort: SortTerm[];
  /** soft-deletable objects have deleted_at */
  softDelete: boolean;
}

type FieldInput = Partial<FieldDef> & Pick<FieldDef, 'name' | 'type'>;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Fills in the defaults: filterable and sortable unless text/json, nullable, writable. */
export function field(input: FieldInput): FieldDef {
  const plain = input.type !== 'json' && input.type !== 'text';
  return {
    column: snake(input.name),
    enumValues: undefined,
    nullable: true,
    filterable: plain || input.type === 'text',
    sortable: plain && input.type !== 'stringArray',
    personal: false,
    writable: 'always',
    description: '',
    ...input,
  };
}

/** The system fields every soft-deletable, versioned record carries. */
export function systemFields(): FieldDef[] {
  return [
    field({
      name: 'id',
      type: 'uuid',
      nullable: false,
      writable: 'never',
      description: 'Record id (UUIDv7).',
    }),
    field({
      name: 'createdAt',
      type: 'datetime',
      nullable: false,
      writable: 'never',
      description: 'When the record was created.',
    }),
    field({
      name: 'updatedAt',
      type: 'datetime',
      nullable: false,
      writable: 'never',
      description: 'When the record last changed.',
    }),
    field({
      name: 'version',
      type: 'integer',
      nullable: false,
      writable: 'never',
      description: 'Optimistic-concurrency version; bumps on every change.',
    }),
  ];
}

export class ObjectRegistry {
  private readonly objects = new Map<string, ObjectDef>();

  register(def: ObjectDef): ObjectDef {
    if (this.objects.has(def.name)) throw new Error(`object ${def.name} registered twice`);
    this.objects.set(def.name, def);
    return def;
  }

  get(name: string): ObjectDef {
    const def = this.objects.get(name);
    if (!def) throw new Error(`unknown object ${name}`);
    return def;
  }

  has(name: string): boolean {
    return this.objects.has(name);
  }

  all(): ObjectDef[] {
    return [...this.objects.values()];
  }

  field(object: ObjectDef, name: string): FieldDef | undefined {
    return object.fields.find((f) => f.name === name);
  }

  relation(object: ObjectDef, name: string): RelationDef | undefined {
    return object.relations.find((r) => r.name === name);
  }
}

/** The process-wide registry; modules register their objects when their definition file loads. */
export const registry = new ObjectRegistry();
