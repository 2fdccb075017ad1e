import pg from 'pg';

/** A failure the user can act on: printed without a stack trace. */
export class SeedError extends Error {}

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters for every table here. */
const BATCH = 500;

export type Value = string | number | boolean | Date | string[] | object | null;
export type Row = Record<string, Value>;

/** Demo rows are matched on their external id unless the table has another natural key. */
export const BY_EXTERNAL_ID = '(tenant_id, external_id) WHERE external_id IS NOT NULL';

/**
 * Multi-row INSERTs of `rows` (column → value), skipping rows that conflict on `conflict` (an ON
 * CONFLICT target; the demo rows' external ids by default); returns the rows inserted.
 */
export async function insertAll(
  client: pg.ClientBase,
  table: string,
  rows: Row[],
  conflict: string | null = BY_EXTERNAL_ID,
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]);
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const params: Value[] = [];
    const tuples = rows
      .slice(i, i + BATCH)
      .map((row) => `(${columns.map((c) => `$${params.push(row[c])}`).join(', ')})`);
    const res = await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}
       ${conflict ? `ON CONFLICT ${conflict} DO NOTHING` : ''}`,
      // jsonb columns get JSON text; text[] columns get arrays, which pg sends as array literals.
      params.map((v) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
          ? JSON.stringify(v)
          : v,
      ),
    );
    inserted += res.rowCount ?? 0;
  }
  return inserted;
}

/** external id → id for the demo rows of `table` (old and new alike). */
export async function idsByExternalId(
  client: pg.ClientBase,
  table: string,
  prefix: string,
): Promise<Map<string, string>> {
  const res = await client.query<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM ${table} WHERE external_id LIKE $1`,
    [`${prefix}%`],
  );
  return new Map(res.rows.map((r) => [r.external_id, r.id]));
}

export function resolve(ids: Map<string, string>, externalId: string): string {
  const id = ids.get(externalId);
  if (!id) throw new SeedError(`${externalId} is neither new nor in the database; was it deleted or purged?`);
  return id;
}
