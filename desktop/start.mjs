// `npm run desktop`: bundle the app and start it in Electron. Electron is an optional
// dependency whose install script downloads its binary; when npm held that script back
// (or the download failed earlier) this runs it once before starting.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDesktop } from './build.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function electronBinary() {
  try {
    return { path: require('electron') };
  } catch (error) {
    return { error };
  }
}

const outdir = await buildDesktop();
let electron = electronBinary();
if (electron.error) {
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    console.error(
      'Electron is not installed. Run `npm install electron@^40.9.3` (it is an optional dependency), then `npm run desktop`.',
    );
    process.exit(1);
  }
  console.error('Downloading the Electron binary (once)…');
  const install = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: 'inherit' });
  electron = install.status === 0 ? electronBinary() : electron;
  if (electron.error) {
    console.error(`Electron cannot start: ${electron.error.message}`);
    process.exit(1);
  }
}
const child = spawn(electron.path, [path.join(outdir, 'main.cjs'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
