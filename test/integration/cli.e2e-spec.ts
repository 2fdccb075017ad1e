import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { buildPrivate, removeBuild } from './build.js';

/** The `rapport` CLI, built and run as a separate process against a running server. */
describe('rapport CLI', () => {
  let t: TestApp;
  let admin: UserFixture;
  let dist: string;
  let dir: string;
  let env: Record<string, string>;

  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(dist, 'cli', 'rapport.js'), ...args], {
        env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv },
        cwd: dir,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    [dist, t] = await Promise.all([buildPrivate('cli'), createTestApp({ JOBS_ENABLED: 'true' })]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    admin = await newTenant(t);
    const key = await t.http
      .post('/v1/api-keys')
      .set({ authorization: `Bearer ${admin.token}` })
      .send({
        name: 'loader',
        scopes: ['contacts:read', 'contacts:create', 'contacts:update', 'data:export'],
      });
    expect(key.status).toBe(201);
    env = { RAPPORT_URL: `http://127.0.0.1:${port}`, RAPPORT_API_KEY: key.body.key as string };
    dir = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
  }, 120000);
  afterAll(async () => {
    await t.close();
    removeBuild(dist);
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a CSV file, prints a summary, writes the failed rows to a file and exits 1', async () => {
    writeFileSync(
      join(dir, 'people.csv'),
      'externalId,lastName,email\ncli-1,One,one@x.test\ncli-2,,two@x.test\ncli-3,Three,not-an-email\n',
    );
    const run = await cli([
      'import',
      'people.csv',
      '--object',
      'contacts',
      '--mode',
      'upsert',
      '--match',
      'externalId',
      '--errors',
      'errors.csv',
    ]);
    expect(run.stderr).toMatch(/3 rows received/);
    expect(run.stdout).toMatch(/partiallySucceeded: 3\/3 rows — created 1, updated 0, unchanged 0, failed 2/);
    expect(run.stdout).toMatch(/errors written to errors\.csv/);
    expect(run.code).toBe(1);
    const errors = readFileSync(join(dir, 'errors.csv'), 'utf8').trim().split('\n');
    expect(errors[0]).toBe('line,field,code,message,raw');
    expect(errors.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '3,lastName,required',
      '4,email,isEmail',
    ]);
    const rows = await superSql<{ external_id: string }>(
      t.databaseUrl,
      `SELECT external_id FROM contacts WHERE tenant_id = $1`,
      [admin.tenantId],
    );
    expect(rows.map((r) => r.external_id)).toEqual(['cli-1']);
  });

  it('exits 0 when every row loads, maps columns, and a re-run of the same file is the same job', async () => {
    writeFileSync(join(dir, 'more.csv'), 'Id,Surname\ncli-10,Ten\ncli-11,Eleven\n');
    const args = [
      'import',
      'more.csv',
      '--object',
      'contacts',
      '--map',
      'Id=externalId',
      '--map',
      'Surname=lastName',
    ];
    const run = await cli(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^succeeded: 2\/2 rows — created 2/);
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(again.stderr.split(' ')[1]).toBe(run.stderr.split(' ')[1]);
    const [{ n }] = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM import_jobs WHERE tenant_id = $1`,
      [admin.tenantId],
    );
    expect(n).toBe(2);
  });

  it('exports with a filter and fields to a file', async () => {
    const run = await cli([
      'export',
      '--object',
      'contacts',
      '--filter',
      "lastName startswith 'T'",
      '--fields',
      'externalId,lastName',
      '-o',
      'out.csv',
    ]);
    expect(run.code).toBe(0);
    // As in lists, `fields` always brings the id.
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toMatch(
      /^id,externalId,lastName\n[0-9a-f-]{36},cli-10,Ten\n$/,
    );
    expect(run.stderr).toMatch(/exported 1 rows to out\.csv/);
  });

  it('exits 2 on bad usage and 1 when the server refuses', async () => {
    expect((await cli(['import'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    const refused = await cli(['export', '--object', 'accounts']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/403/);
    const noKey = await cli(['export', '--object', 'contacts'], { RAPPORT_API_KEY: '' });
    expect(noKey.code).toBe(2);
  });
});
