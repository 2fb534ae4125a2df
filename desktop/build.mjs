// Bundles the desktop app with esbuild into dist/desktop/:
//   main.cjs (Electron main process), preload.cjs (sandboxed preload),
//   renderer/{index.html, styles.css, app.js, worker.js, live-worker.js, recorder-worklet.js}.
// `node desktop/build.mjs` builds; the browser tests call buildDesktop() with their own
// output folder and worker entry.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

/**
 * Build the app.
 * @param {{ outdir?: string, workerEntry?: string, minify?: boolean, electron?: boolean }} [options]
 * @returns {Promise<string>} the output folder
 */
export async function buildDesktop(options = {}) {
  const outdir = options.outdir ?? path.join(root, 'dist', 'desktop');
  const renderer = path.join(outdir, 'renderer');
  await mkdir(renderer, { recursive: true });
  const common = {
    bundle: true,
    minify: options.minify ?? false,
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
  };
  const browser = { ...common, platform: 'browser', target: 'chrome120', format: 'iife' };
  const jobs = [
    build({ ...browser, entryPoints: [path.join(here, 'renderer', 'app.ts')], outfile: path.join(renderer, 'app.js') }),
    build({
      ...browser,
      entryPoints: [options.workerEntry ?? path.join(here, 'renderer', 'worker', 'separationWorker.ts')],
      outfile: path.join(renderer, 'worker.js'),
    }),
    build({
      ...browser,
      entryPoints: [path.join(here, 'renderer', 'live', 'liveWorker.ts')],
      outfile: path.join(renderer, 'live-worker.js'),
    }),
    build({
      ...browser,
      entryPoints: [path.join(here, 'renderer', 'audio', 'recorderWorklet.ts')],
      outfile: path.join(renderer, 'recorder-worklet.js'),
    }),
    copyFile(path.join(here, 'renderer', 'index.html'), path.join(renderer, 'index.html')),
    copyFile(path.join(here, 'renderer', 'styles.css'), path.join(renderer, 'styles.css')),
  ];
  if (options.electron ?? true) {
    const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: ['electron'] };
    jobs.push(
      build({ ...node, entryPoints: [path.join(here, 'main', 'main.ts')], outfile: path.join(outdir, 'main.cjs') }),
      build({
        ...node,
        entryPoints: [path.join(here, 'preload', 'preload.ts')],
        outfile: path.join(outdir, 'preload.cjs'),
      }),
    );
  }
  await Promise.all(jobs);
  return outdir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = await buildDesktop({ minify: process.argv.includes('--minify') });
  console.log(`built ${path.relative(process.cwd(), outdir) || '.'}`);
}
