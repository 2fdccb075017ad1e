/** A record as the API sees it: API field names to values (Dates for datetimes, strings for decimals). */
export type RecordData = Record<string, unknown>;

export interface ListOptions {
  /** filter string or JSON AST */
  filter?: unknown;
  /** `-createdAt,lastName` */
  sort?: string;
  limit?: number | string;
  cursor?: string;
  /** comma-separated field names, or a list */
  fields?: string | string[];
  /** comma-separated relation names, or a list */
  expand?: string | string[];
  q?: string;
  count?: boolean;
}

export interface Page {
  data: RecordData[];
  nextCursor: string | null;
  total?: number;
  /** cursor of each row, for GraphQL edges */
  cursors: string[];
}

export interface GetOptions {
  fields?: string | string[];
  expand?: string | string[];
}

/** related records returned per parent by `expand` of a to-many relation */
export const EXPAND_MANY_LIMIT = 20;
