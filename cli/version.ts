import { readFileSync } from 'node:fs';

/** Read the version from the package.json above this module (cli/ in source, dist/cli/ when built). */
function findVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 4; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'unmix' && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
    dir = new URL('..', dir);
  }
  return '0.0.0';
}

/** The version of unmix, from package.json. */
export const VERSION: string = findVersion();
