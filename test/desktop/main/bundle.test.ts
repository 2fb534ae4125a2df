/**
 * The bundled main process (dist-like build of desktop/build.mjs) loads and starts under a
 * stand-in `electron` module: one window with the bundled preload, served over app://
 * with the content security policy. Catches bundling mistakes the unit tests cannot.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDesktop } from '../../../desktop/build.mjs';

const FAKE_ELECTRON = `
const calls = [];
let handler = null;
class BrowserWindow {
  constructor(options) { calls.push(['window', options.webPreferences]); this.webContents = { on() {}, setWindowOpenHandler() {}, send() {}, session: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {} } }; }
  static getAllWindows() { return []; }
  on() {}
  once() {}
  show() {}
  isDestroyed() { return false; }
  async loadURL(url) {
    calls.push(['load', url]);
    const page = await handler({ url, method: 'GET' });
    const worker = await handler({ url: 'app://unmix/worker.js', method: 'GET' });
    calls.push(['served', page.status, page.headers.get('content-security-policy'), (await page.text()).slice(0, 15), worker.status]);
    process.stdout.write(JSON.stringify(calls));
    process.exit(0);
  }
}
module.exports = {
  app: { whenReady: () => Promise.resolve(), on() {}, quit() {} },
  BrowserWindow,
  dialog: {},
  ipcMain: { handle: (channel) => calls.push(['ipc', channel]) },
  Menu: { buildFromTemplate: (t) => t, setApplicationMenu: (m) => calls.push(['menu', m.length]) },
  protocol: {
    registerSchemesAsPrivileged: (schemes) => calls.push(['schemes', schemes.map((s) => s.scheme)]),
    handle: (scheme, h) => { handler = h; calls.push(['protocol', scheme]); },
  },
};
`;

let temp: string | undefined;
afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe('bundled main process', () => {
  it('starts a window with the preload and serves the renderer over app://', async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'unmix-bundle-'));
    const outdir = await buildDesktop({ outdir: path.join(temp, 'app') });
    await mkdir(path.join(temp, 'node_modules', 'electron'), { recursive: true });
    await writeFile(path.join(temp, 'node_modules', 'electron', 'index.js'), FAKE_ELECTRON);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(outdir, 'main.cjs')], {
      timeout: 20_000,
    });
    const calls = JSON.parse(stdout) as unknown[][];
    const window = calls.find((c) => c[0] === 'window')?.[1] as { preload: string; sandbox: boolean };
    expect(window.sandbox).toBe(true);
    expect((await stat(window.preload)).isFile()).toBe(true);
    expect(calls).toContainEqual(['schemes', ['app']]);
    expect(calls).toContainEqual(['load', 'app://unmix/index.html']);
    expect(calls.filter((c) => c[0] === 'ipc')).toHaveLength(4);
    const served = calls.find((c) => c[0] === 'served')!;
    expect(served[1]).toBe(200);
    expect(served[2]).toMatch(/script-src 'self'/);
    expect(served[3]).toBe('<!doctype html>');
    expect(served[4]).toBe(200);
  });
});
