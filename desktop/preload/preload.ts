/**
 * The preload script: exposes {@link createBridge}'s object as `window.unmix` through
 * contextBridge, and nothing else. It runs sandboxed, so it may only load `electron`
 * (bundled to `dist/desktop/preload.cjs`).
 */
import { createBridge, type IpcRendererLike } from './bridge.js';

interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: IpcRendererLike;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;
contextBridge.exposeInMainWorld('unmix', createBridge(ipcRenderer));
