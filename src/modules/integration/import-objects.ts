import 'reflect-metadata';
import { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationArguments, ValidationError } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../platform/context/request-context.js';
import { FieldIssue } from '../../platform/http/domain-error.js';
import { FieldDef, ObjectDef, registry } from '../../platform/registry/object-registry.js';
import { CreateAccountInput, UpdateAccountInput } from '../customers/accounts/account.dto.js';
import { ACCOUNT } from '../customers/accounts/account.object.js';
import { CreateActivityInput, UpdateActivityInput } from '../customers/activities/activity.dto.js';
import { ACTIVITY } from '../customers/activities/activity.object.js';
import { CreateContactInput, UpdateContactInput } from '../customers/contacts/contact.dto.js';
import { CONTACT } from '../customers/contacts/contact.object.js';
import type { ChunkResult, StagedRow } from './import-engine.js';
import type { ImportPlan } from './import-plan.js';
import { CreateLeadInput, UpdateLeadInput } from '../sales/leads/lead.dto.js';
import { LEAD } from '../sales/leads/lead.object.js';
import { CreateOpportunityInput, UpdateOpportunityInput } from '../sales/opportunities/opportunity.dto.js';
import { OPPORTUNITY } from '../sales/opportunities/opportunity.object.js';

/**
 * What an import may load, and with which rules. The rules are the record layer's own: the
 * registry declaration (types, nullability, what is writable) and the create/update input classes
 * REST and GraphQL validate with (class-validator: required fields, enums, max lengths, email
 * format, …), so an import accepts exactly what `POST`/`PATCH` would.
 *
 * Leads and opportunities are imported row by row through their own services (`perRow`,
 * import-service-rows.ts): those add rules the set-based engine would skip (lead assignment on
 * create; opportunity stage rules, probability and forecast defaults, closedAt, lossReason, stage
 * history).
 */
export interface ImportableObject {
  object: ObjectDef;
  create: Type<object>;
  update: Type<object>;
  /** match keys beyond `externalId` and `id` (natural keys) */
  naturalKeys: readonly string[];
  /** written row by row through the object's own service, not by the set-based engine */
  perRow?: true;
}

const IMPORTABLE: Record<string, ImportableObject> = {
  contacts: {
    object: CONTACT,
    create: CreateContactInput,
    update: UpdateContactInput,
    naturalKeys: ['email'],
  },
  accounts: {
    object: ACCOUNT,
    create: CreateAccountInput,
    update: UpdateAccountInput,
    naturalKeys: ['domain'],
  },
  activities: { object: ACTIVITY, create: CreateActivityInput, update: UpdateActivityInput, naturalKeys: [] },
  leads: {
    object: LEAD,
    create: CreateLeadInput,
    update: UpdateLeadInput,
    naturalKeys: ['email'],
    perRow: true,
  },
  opportunities: {
    object: OPPORTUNITY,
    create: CreateOpportunityInput,
    update: UpdateOpportunityInput,
    naturalKeys: [],
    perRow: true,
  },
};

/**
 * Keys a reference may name a record of these (non-importable) objects by, beyond its id: a
 * pipeline by its name, a stage by its name within the row's pipeline (import-service-rows.ts).
 */
const REFERENCE_KEYS: Record<string, readonly string[]> = {
  pipeline: ['name'],
  stage: ['name'],
  leadQueue: ['name'],
};

export const IMPORTABLE_OBJECTS = Object.keys(IMPORTABLE);

/** The per-row path (ServiceRowImporter, import-service-rows.ts) as the engine calls it. */
export interface ServiceRows {
  processChunk(
    em: EntityManager,
    ctx: RequestContext,
    plan: ImportPlan,
    header: readonly string[] | null,
    staged: readonly StagedRow[],
  ): Promise<ChunkResult>;
}

/** Each engine's per-row importer (one per application): ServiceRowImporter attaches itself. */
const serviceRows = new WeakMap<object, ServiceRows>();

export function attachServiceRows(engine: object, rows: ServiceRows): void {
  serviceRows.set(engine, rows);
}

/** The per-row path for `plan` when its object is imported through its own service (leads, opportunities). */
export function serviceRowsFor(engine: object, plan: ImportPlan): ServiceRows | undefined {
  if (!plan.def.perRow) return undefined;
  const rows = serviceRows.get(engine);
  if (!rows) throw new Error(`${plan.object.plural} are imported per row: provide ServiceRowImporter`);
  return rows;
}

export function importable(plural: string): ImportableObject | undefined {
  return IMPORTABLE[plural];
}

/** The keys a record of `target` can be found by: its id, its externalId, its natural keys. */
export function lookupKeys(target: ObjectDef): string[] {
  const natural = Object.values(IMPORTABLE).find((i) => i.object === target)?.naturalKeys ?? [];
  return [
    'id',
    ...(registry.field(target, 'externalId') ? ['externalId'] : []),
    ...natural,
    ...(REFERENCE_KEYS[target.name] ?? []),
  ];
}

const BOOL_TRUE = new Set(['true', 't', '1', 'yes', 'y']);
const BOOL_FALSE = new Set(['false', 'f', '0', 'no', 'n']);

/**
 * A CSV cell (always a string) as the value the JSON API would carry for the field; a value that
 * does not convert stays a string, so validation reports it with the API's own message.
 */
export function fromCell(f: FieldDef, cell: string): unknown {
  switch (f.type) {
    case 'integer':
      return /^-?\d{1,10}$/.test(cell) ? Number(cell) : cell;
    case 'boolean': {
      const v = cell.trim().toLowerCase();
      return BOOL_TRUE.has(v) ? true : BOOL_FALSE.has(v) ? false : cell;
    }
    case 'stringArray':
      if (cell.startsWith('[')) return parseJson(cell);
      // A Postgres array literal without quoting ({a,b}), as COPY and psql write it.
      if (cell.startsWith('{') && cell.endsWith('}'))
        return cell
          .slice(1, -1)
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
      return cell
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'json':
      return parseJson(cell);
    default:
      return cell;
  }
}

function parseJson(cell: string): unknown {
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return cell;
  }
}

function flatten(errors: ValidationError[], prefix = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [code, message] of Object.entries(e.constraints ?? {}))
      out.push(
        code === 'whitelistValidation'
          ? { field: path, code: 'unknown_property', message: `property ${path} is not allowed` }
          : { field: path, code, message },
      );
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

interface CompiledRule {
  code: string;
  each: boolean;
  constraints: unknown[];
  check: (value: unknown, args: ValidationArguments) => boolean;
  message: (args: ValidationArguments) => string;
}

interface CompiledProperty {
  optional: boolean;
  nested: boolean;
  rules: CompiledRule[];
}

const compiled = new Map<Type<object>, Map<string, CompiledProperty>>();

/**
 * The input class's class-validator rules (its decorators' metadata), compiled once into plain
 * checks per property: the same validators with the same constraints and messages as
 * `validateSync`, without re-reading the metadata storage and building error objects for every
 * row (that cost ~150 µs a row, the largest share of an import's CPU).
 */
function compile(cls: Type<object>): Map<string, CompiledProperty> {
  const hit = compiled.get(cls);
  if (hit) return hit;
  const out = new Map<string, CompiledProperty>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    const prop = out.get(m.propertyName) ?? { optional: false, nested: false, rules: [] };
    out.set(m.propertyName, prop);
    if (m.type === 'conditionalValidation') prop.optional = true;
    else if (m.type === 'nestedValidation') prop.nested = true;
    else if (m.type === 'customValidation' && m.constraintCls) {
      const instance = new (
        m.constraintCls as new () => {
          validate(v: unknown, a: ValidationArguments): boolean;
          defaultMessage?(a: ValidationArguments): string;
        }
      )();
      const template = m.message;
      const max: unknown = m.constraints?.[0];
      // MaxLength counts a surrogate pair (and a variation selector) as one character, so a
      // string no longer than the limit in UTF-16 units passes without validator's regexes.
      const check =
        m.name === 'maxLength' && typeof max === 'number'
          ? (v: unknown, a: ValidationArguments) =>
              (typeof v === 'string' && v.length <= max) || instance.validate(v, a)
          : (v: unknown, a: ValidationArguments) => instance.validate(v, a);
      prop.rules.push({
        code: m.name ?? 'invalid',
        each: m.each ?? false,
        constraints: m.constraints ?? [],
        check,
        message: (a) => {
          const text =
            typeof template === 'function'
              ? template(a)
              : (template ?? instance.defaultMessage?.(a) ?? `${a.property} is invalid`);
          return text
            .replace(/\$property/g, a.property)
            .replace(/\$constraint1/g, String(a.constraints?.[0]))
            .replace(/\$value/g, String(a.value));
        },
      });
    }
  }
  compiled.set(cls, out);
  return out;
}

/** Nested objects (an address) are validated by class-validator itself; the answers are cached by value. */
const nestedCache = new Map<string, FieldIssue[]>();

function validateNested(cls: Type<object>, name: string, value: unknown): FieldIssue[] {
  const key = `${cls.name}\u0000${name}\u0000${JSON.stringify(value)}`;
  const hit = nestedCache.get(key);
  if (hit) return hit;
  const instance = plainToInstance(cls, { [name]: value });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  const issues = flatten(errors.filter((e) => e.property === name));
  if (nestedCache.size > 10_000) nestedCache.clear();
  nestedCache.set(key, issues);
  return issues;
}

/**
 * Validates one row's values (API names) with the input class REST uses for the same write (its
 * class-validator rules, compiled once), plus the record layer's own rule that a non-nullable
 * field cannot be set to null. A required field the row does not give is one `required` problem.
 */
export function validateRow(
  def: ImportableObject,
  values: Record<string, unknown>,
  kind: 'create' | 'update',
): FieldIssue[] {
  const cls = kind === 'create' ? def.create : def.update;
  const { props, entries } = checksOf(def, cls);
  const issues: FieldIssue[] = [];
  for (const name in values) {
    if (props.has(name)) continue;
    if (values[name] !== undefined)
      issues.push({ field: name, code: 'unknown_property', message: `property ${name} is not allowed` });
  }
  for (const { name, prop, nullable } of entries) {
    const value = values[name];
    if (value === null && !nullable && name in values) {
      issues.push({ field: name, code: 'required', message: `${name} cannot be null` });
      continue;
    }
    if (prop.optional && (value === null || value === undefined)) continue;
    if (value === undefined) {
      if (prop.rules.length || prop.nested)
        issues.push({ field: name, code: 'required', message: `${name} is required` });
      continue;
    }
    // One arguments object per property (validators only read it): no allocation per rule.
    const args: ValidationArguments = {
      value,
      constraints: [],
      targetName: cls.name,
      object: values,
      property: name,
    };
    for (const rule of prop.rules) {
      args.value = value;
      args.constraints = rule.constraints;
      let ok: boolean;
      if (rule.each && Array.isArray(value)) {
        ok = true;
        for (const v of value as unknown[]) {
          args.value = v;
          if (!rule.check(v, args)) {
            ok = false;
            break;
          }
        }
        args.value = value;
      } else ok = rule.check(value, args);
      if (!ok) issues.push({ field: name, code: rule.code, message: rule.message(args) });
    }
    if (prop.nested) issues.push(...validateNested(cls, name, value));
  }
  return issues;
}

interface PropertyCheck {
  name: string;
  prop: CompiledProperty;
  /** the registry field's nullability (true when the property is no registry field) */
  nullable: boolean;
}

const checks = new Map<Type<object>, { props: Map<string, CompiledProperty>; entries: PropertyCheck[] }>();

/** The compiled rules of `cls` with each property's registry nullability, looked up once. */
function checksOf(
  def: ImportableObject,
  cls: Type<object>,
): { props: Map<string, CompiledProperty>; entries: PropertyCheck[] } {
  let hit = checks.get(cls);
  if (!hit) {
    const props = compile(cls);
    const entries = [...props].map(([name, prop]) => ({
      name,
      prop,
      nullable: registry.field(def.object, name)?.nullable ?? true,
    }));
    hit = { props, entries };
    checks.set(cls, hit);
  }
  return hit;
}
