import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UnmixError } from '../core/errors.js';

/**
 * Where the worker-thread scripts of cli/ are. From the build (`dist/cli`, what `unmix`
 * runs) a worker is the compiled module beside this one. From the TypeScript sources
 * (vitest) there is no `.js` to start: Node 20 cannot run `.ts`, so the worker is bundled
 * with esbuild (a devDependency) into the temporary directory, once per process.
 */

/** The compiled worker `name` (e.g. `evalWorker.js`) beside this module, when running from the build. */
export function builtWorkerScript(name: string): URL | undefined {
  const url = new URL(`./${name}`, import.meta.url);
  try {
    return fs.existsSync(fileURLToPath(url)) ? url : undefined;
  } catch {
    return undefined;
  }
}

const bundles = new Map<string, Promise<URL>>();

/**
 * The worker `name` (e.g. `binPassWorker.js`) to start with `new Worker(url)`: the
 * compiled module from the build, else (running from sources) `name.ts` bundled by
 * esbuild into the temporary directory (one file per version of the sources, kept).
 *
 * @throws UnmixError (`failed`) when neither the build nor esbuild and the source are there
 */
export function workerScript(name: string): Promise<URL> {
  const built = builtWorkerScript(name);
  if (built) return Promise.resolve(built);
  let bundle = bundles.get(name);
  if (!bundle) {
    bundle = bundleWorker(name);
    bundles.set(name, bundle);
  }
  return bundle;
}

async function bundleWorker(name: string): Promise<URL> {
  const source = fileURLToPath(new URL(`./${name.replace(/\.js$/, '.ts')}`, import.meta.url));
  let build: typeof import('esbuild').build;
  try {
    if (!fs.existsSync(source)) throw new Error(source);
    ({ build } = await import('esbuild'));
  } catch {
    throw new UnmixError(`the worker thread script ${name} is missing: run npm run build`, 'failed');
  }
  const bundled = await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent' }); // prettier-ignore
  const code = bundled.outputFiles[0].contents;
  // Named by its content: test processes (killed without an exit event) share one file per
  // version of the sources instead of leaving one each; written under a unique name and
  // renamed, so processes writing it at once never read half a file.
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `unmix-${path.basename(name, '.js')}-${hash}.mjs`);
  if (!fs.existsSync(file)) {
    const partial = `${file}.${randomUUID()}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, file);
  }
  return pathToFileURL(file);
}
