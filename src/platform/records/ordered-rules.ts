import { applyDecorators } from '@nestjs/common';
import { Field } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { EntityManager } from 'typeorm';
import { newId } from '../database/ids.js';
import { DomainError } from '../http/domain-error.js';
import { GraphQLJSON } from './field-decorators.js';

/**
 * A tenant's ordered list of configuration rows (assignment rules, SLA policies): the first
 * matching row by `position` wins, so positions are kept dense, 1..n. Every change of the order
 * runs under `lock()` in the writing transaction, so concurrent inserts, deletes and reorders of
 * one tenant's list are serialised (also while the list is still empty: nothing to row-lock).
 */
export class DenseOrder {
  /**
   * @param table the table (tenant-scoped by RLS); also names the advisory lock
   * @param opts.live soft-deleted rows (`deleted_at` set) have no place in the order
   * @param opts.bumpVersion a move is a change of the row: its `version` goes up
   */
  constructor(
    readonly table: string,
    private readonly opts: { live?: boolean; bumpVersion?: boolean } = {},
  ) {}

  async lock(em: EntityManager): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('${this.table}:' || app_tenant_id()::text))`);
  }

  /** The ids in order. */
  async ids(em: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      `SELECT id FROM ${this.table}${this.opts.live ? ' WHERE deleted_at IS NULL' : ''} ORDER BY position, id`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Where a new row goes in `order`: `position`, by default last. A full list (`max` rows) is
   * `full()`; a position past the end is a 400 naming `position`.
   */
  insertionPoint(
    order: string[],
    position: number | undefined,
    max: number,
    full: () => DomainError,
  ): number {
    if (order.length >= max) throw full();
    const at = position ?? order.length + 1;
    if (at > order.length + 1)
      throw invalid('position', 'out_of_range', `position must be between 1 and ${order.length + 1}`);
    return at;
  }

  /** Sets positions 1..n to follow `order`; returns the ids of the rows that moved. */
  async renumber(em: EntityManager, order: string[]): Promise<string[]> {
    const result: unknown = await em.query(
      `UPDATE ${this.table} r SET position = o.position${this.opts.bumpVersion ? ', version = r.version + 1' : ''}, updated_at = now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, position)
        WHERE r.id = o.id AND r.position <> o.position
        RETURNING r.id`,
      [order],
    );
    // UPDATE … RETURNING comes back from the pg driver as [rows, affected count]
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Closes the gap a removed row left. */
  async close(em: EntityManager): Promise<string[]> {
    return this.renumber(em, await this.ids(em));
  }

  /**
   * Checks that `ids` names every row of the order exactly once (ids compare case-insensitively);
   * a 400 naming `field` with `message(missing, unknown)` otherwise. Returns the order before and
   * the wanted one; the caller renumbers.
   */
  async checkPermutation(
    em: EntityManager,
    ids: string[],
    field: string,
    message: (missing: string[], unknown: string[]) => string,
  ): Promise<{ before: string[]; after: string[] }> {
    const before = await this.ids(em);
    const after = ids.map((id) => id.toLowerCase());
    const missing = before.filter((id) => !after.includes(id));
    const unknown = after.filter((id) => !before.includes(id));
    if (new Set(after).size !== after.length || missing.length > 0 || unknown.length > 0)
      throw invalid(field, 'not_a_permutation', message(missing, unknown));
    return { before, after };
  }
}

/**
 * An ordered list of hard-deleted rules (the assignment rules), read as `columns` over the table
 * aliased `r`. The service keeps the writes that differ per rule (insert, update) and the audit.
 */
export class OrderedRuleTable<Row extends { id: string }> extends DenseOrder {
  /** @param noun names the rule in a 404: `No ${noun} with id …` */
  constructor(
    table: string,
    private readonly columns: string,
    private readonly noun: string,
  ) {
    super(table);
  }

  /** The rules in evaluation order (all, or only the active ones). */
  load(em: EntityManager, activeOnly: boolean): Promise<Row[]> {
    return em.query(
      `SELECT ${this.columns} FROM ${this.table} r${activeOnly ? ' WHERE r.active' : ''} ORDER BY r.position, r.id`,
    );
  }

  /** One rule, 404 when absent; `forUpdate` locks its row. */
  async one(em: EntityManager, id: string, forUpdate = false): Promise<Row> {
    const rows: Row[] = await em.query(
      `SELECT ${this.columns} FROM ${this.table} r WHERE r.id = $1::uuid${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No ${this.noun} with id ${id}.`);
    return rows[0];
  }

  /**
   * Adds a rule at `position` (default last; see `insertionPoint` for `max` and `full`): `write`
   * inserts row `id` at `last`, the end of the list, and the order then moves it into place.
   * Call under `lock()`. Returns the new rule.
   */
  async insert(
    em: EntityManager,
    position: number | undefined,
    max: number,
    full: () => DomainError,
    write: (id: string, last: number) => Promise<unknown>,
  ): Promise<Row> {
    const order = await this.ids(em);
    const at = this.insertionPoint(order, position, max, full);
    const id = newId();
    await write(id, order.length + 1);
    order.splice(at - 1, 0, id);
    await this.renumber(em, order);
    return this.one(em, id);
  }

  /** Deletes the rule (404 when absent) and closes the gap; returns the rule as it was. */
  async delete(em: EntityManager, id: string): Promise<Row> {
    await this.lock(em);
    const before = await this.one(em, id);
    await em.query(`DELETE FROM ${this.table} WHERE id = $1::uuid`, [id]);
    await this.close(em);
    return before;
  }

  /**
   * Puts the rules in the order of `ruleIds`, which must name each exactly once (a 400 naming
   * `ruleIds` with `message` otherwise); returns the order before and after.
   */
  async reorder(
    em: EntityManager,
    ruleIds: string[],
    message: string,
  ): Promise<{ before: string[]; after: string[] }> {
    await this.lock(em);
    const order = await this.checkPermutation(em, ruleIds, 'ruleIds', () => message);
    await this.renumber(em, order.after);
    return order;
  }
}

function invalid(field: string, code: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${message}.`, [{ field, code, message }]);
}

/** The fields among `keys` whose values differ, as an audit diff (null for a missing side). */
export function changedFields<T extends object>(
  keys: readonly (keyof T & string)[],
  before: T | null,
  after: T | null,
): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const k of keys) {
    const b = before ? (before[k] ?? null) : null;
    const a = after ? (after[k] ?? null) : null;
    if (JSON.stringify(b) !== JSON.stringify(a)) out[k] = { before: b, after: a };
  }
  return out;
}

/** A condition (a filter string or its JSON AST) as a jsonb parameter; null stays null. */
export function jsonbParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

const CONDITION_SCHEMA = { nullable: true, oneOf: [{ type: 'string' }, { type: 'object' }] };

/** The `condition` of a rule's response: a filter string or its JSON AST, or null. */
export function ConditionOutputProp(description: string, example: string): PropertyDecorator {
  return stacked(
    Field(() => GraphQLJSON, { nullable: true, description }),
    ApiProperty({ ...CONDITION_SCHEMA, description, example }),
  );
}

/** The `condition` of a rule's input; checked by `checkCondition` when saved, not here. */
export function ConditionInputProp(description: string): PropertyDecorator {
  return stacked(
    Field(() => GraphQLJSON, { nullable: true, description }),
    ApiPropertyOptional({ ...CONDITION_SCHEMA, description }),
    IsOptional(),
  );
}

/** The body of a reorder: every id of the list, in the new order (at most `max`). */
export function OrderIdsProp(o: { graphql: string; openapi: string; max: number }): PropertyDecorator {
  return stacked(
    Field(() => [String], { description: o.graphql }),
    ApiProperty({ type: [String], format: 'uuid', description: o.openapi }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(o.max),
    IsUUID('all', { each: true }),
  );
}

/** The decorators as if written one above the other (TypeScript applies them bottom-up). */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}
