import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Compiles src/ (swc, as `npm run build` does) into a private directory under
 * node_modules/.cache, so a test can run the built server or CLI as a separate process without
 * touching dist/ (which other test runs may be using). Packages resolve from the repository's
 * node_modules, and migrations/ is linked beside the build as the built migrator expects.
 */
export async function buildPrivate(name: string): Promise<string> {
  const base = join(ROOT, 'node_modules', '.cache', 'rapport-e2e', `${name}-${process.pid}`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  await promisify(execFile)(
    join(ROOT, 'node_modules', '.bin', 'swc'),
    ['src', '-d', join(base, 'dist'), '--strip-leading-paths', '--quiet', '--copy-files'],
    { cwd: ROOT },
  );
  if (!existsSync(join(base, 'migrations'))) symlinkSync(join(ROOT, 'migrations'), join(base, 'migrations'));
  return join(base, 'dist');
}

export function removeBuild(dist: string): void {
  rmSync(resolve(dist, '..'), { recursive: true, force: true });
}
