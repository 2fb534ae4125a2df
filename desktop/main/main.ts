/**
 * Electron's entry point (bundled to `dist/desktop/main.cjs` by desktop/build.mjs). The
 * only file that loads `electron`; everything else takes it as a parameter.
 */
import { createRequire } from 'node:module';
import type { ElectronLike } from './electronApi.js';
import { startApp } from './app.js';

const electron = createRequire(__filename)('electron') as ElectronLike;

startApp(electron, __dirname, process.platform).catch((error: unknown) => {
  console.error(error);
  electron.app.quit();
});
