import path from 'node:path';
import { IPC, type MenuCommand } from '../shared/bridge.js';
import type { BrowserWindowLike, ElectronLike, WebContentsLike } from './electronApi.js';
import { registerIpcHandlers } from './ipc.js';
import { menuTemplate } from './menu.js';
import { handleAppProtocol, registerAppScheme } from './protocol.js';
import { APP_URL, hardenWebContents, restrictPermissions, windowOptions } from './security.js';

/**
 * Start the desktop app: the `app://` scheme, security settings on every web contents,
 * the bridge's IPC handlers, the menu, and one window.
 *
 * @param electron - Electron's main-process module (or a fake in tests)
 * @param directory - folder of the bundle: `preload.cjs` and `renderer/`
 * @param platform - `process.platform`, for the macOS menu and quit behaviour
 */
export function startApp(electron: ElectronLike, directory: string, platform: string): Promise<BrowserWindowLike> {
  const { app, BrowserWindow, dialog, ipcMain, Menu, protocol } = electron;
  registerAppScheme(protocol);
  let mainWindow: BrowserWindowLike | undefined;
  const currentWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined);

  const createWindow = (): BrowserWindowLike => {
    const window = new BrowserWindow(windowOptions(path.join(directory, 'preload.cjs')));
    restrictPermissions(window.webContents.session);
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = undefined;
    });
    window.once('ready-to-show', () => window.show());
    mainWindow = window;
    void window.loadURL(APP_URL);
    return window;
  };

  app.on('web-contents-created', (_event: unknown, contents: WebContentsLike) => hardenWebContents(contents));
  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });

  return app.whenReady().then(() => {
    handleAppProtocol(protocol, path.join(directory, 'renderer'));
    registerIpcHandlers({ ipcMain, dialog, window: currentWindow });
    const send = (command: MenuCommand) => currentWindow()?.webContents.send(IPC.menuCommand, command);
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(send, platform === 'darwin')));
    return createWindow();
  });
}
