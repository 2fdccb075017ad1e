import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  buildContracts,
  CONTRACT_FILES,
  Contracts,
  firstDifference,
  REGENERATE_HINT,
} from '../../src/cli/contracts.js';
import { AppConfig } from '../../src/platform/config/config.js';
import { createTestApp, TestApp } from '../harness/app.js';

/** Fails with the first differing line and the fix, instead of a 3,000-line diff. */
function expectSame(what: string, committed: string, actual: string, source = 'the code'): void {
  const diff = firstDifference(committed, actual);
  if (diff) {
    throw new Error(
      `${what} differs from ${source} at line ${diff.line}:\n` +
        `  committed: ${diff.expected}\n` +
        `  actual:    ${diff.actual}\n` +
        `${REGENERATE_HINT}.`,
    );
  }
}

async function committed(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: ${REGENERATE_HINT}.`);
  }
}

describe('API contracts', () => {
  let t: TestApp;
  let contracts: Contracts;

  beforeAll(async () => {
    t = await createTestApp();
    contracts = buildContracts(t.app);
  });
  afterAll(() => t.close());

  it('openapi/openapi.json is what the code generates', async () => {
    expectSame('openapi/openapi.json', await committed(CONTRACT_FILES.openapi), contracts.openapi);
  });

  it('src/schema.gql is what the code generates', async () => {
    expectSame('src/schema.gql', await committed(CONTRACT_FILES.schema), contracts.schema);
  });

  it('serves the committed document at /openapi.json', async () => {
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const served = `${JSON.stringify(res.body, null, 2)}\n`;
    expectSame(
      'openapi/openapi.json',
      await committed(CONTRACT_FILES.openapi),
      served,
      'the document served at /openapi.json',
    );
  });

  it('declares every tag an operation uses, with a description', () => {
    const doc = JSON.parse(contracts.openapi) as {
      tags?: { name: string; description?: string }[];
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    const used = new Set(
      Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])),
    );
    for (const tag of used)
      expect({ tag, description: declared.get(tag) }).toEqual({ tag, description: expect.any(String) });
  });

  it('serves Swagger UI at /docs from local assets, not a CDN', async () => {
    const res = await t.http.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.text;
    expect(html).toContain('swagger-ui');
    const scripts = [...html.matchAll(/<script[^>]*\ssrc=["']([^"']+)["']/gi)].map((m) => m[1]);
    const styles = [...html.matchAll(/<link[^>]*\shref=["']([^"']+)["']/gi)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of [...scripts, ...styles]) expect(src).not.toMatch(/^(https?:)?\/\//i);

    // Resolved the way a browser resolves them from /docs; each must be served by the app itself.
    for (const asset of [...scripts, ...styles]) {
      const path = new URL(asset, 'http://rapport.test/docs').pathname;
      const got = await t.http.get(path);
      expect({ asset: path, status: got.status }).toEqual({ asset: path, status: 200 });
    }
    const bundle = scripts.find((s) => s.includes('swagger-ui-bundle'));
    expect(bundle).toBeDefined();
  });

  it('README.md documents every configuration variable', async () => {
    const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    // Optional variables without a default are not own properties of a new AppConfig.
    const variables = new Set([...Object.keys(new AppConfig()), 'DATABASE_URL', 'RAPPORT_ADMIN_PASSWORD']);
    const rows = new Set([...readme.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]));
    const missing = [...variables].filter((name) => !rows.has(name));
    expect({ missingFromReadmeConfigurationTable: missing }).toEqual({
      missingFromReadmeConfigurationTable: [],
    });
  });
});
