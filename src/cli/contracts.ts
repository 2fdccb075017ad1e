import { INestApplication } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../platform/http/openapi.js';

/** The API contracts as they are committed: byte-for-byte what `npm run generate:contracts` writes. */
export interface Contracts {
  /** openapi/openapi.json */
  openapi: string;
  /** src/schema.gql */
  schema: string;
}

/**
 * Where the committed contracts live, from both src/cli (tests, tsc) and dist/cli (the built
 * generator): two levels up is the repository root either way.
 */
export const CONTRACT_FILES = {
  openapi: fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url)),
  schema: fileURLToPath(new URL('../../src/schema.gql', import.meta.url)),
} as const;

/** Shown whenever a committed contract differs from what the code produces. */
export const REGENERATE_HINT =
  'run npm run generate:contracts and commit openapi/openapi.json and src/schema.gql';

const SCHEMA_HEADER =
  '# Rapport GraphQL schema, generated from the code by `npm run generate:contracts`.\n' +
  '# Do not edit by hand: test/contracts/drift.e2e-spec.ts fails when it differs from the code.\n\n';

/**
 * Builds both contracts from a booted application (the CLI and the drift test share this, so the
 * test compares exactly what the generator writes). Output is deterministic: the OpenAPI document
 * keeps Nest's declaration order, the GraphQL schema is sorted.
 */
export function buildContracts(app: INestApplication): Contracts {
  const openapi = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  const schema = app.get(GraphQLSchemaHost).schema;
  return { openapi, schema: `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n` };
}

/** The first line where two texts differ, to point a reader at the drift (1-based; null if equal). */
export function firstDifference(
  expected: string,
  actual: string,
): { line: number; expected: string; actual: string } | null {
  if (expected === actual) return null;
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return { line: i + 1, expected: a[i] ?? '<end of file>', actual: b[i] ?? '<end of file>' };
  }
  return null;
}
