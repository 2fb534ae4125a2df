/**
 * The parts of Electron's main-process API that the app uses, as structural types.
 * Main-process modules take an object of these types instead of importing `electron`,
 * so they run under unit tests with fakes (the Electron binary is not installed on every
 * machine), and the real module is passed in only by `main.ts`.
 */

/** An event whose default action can be cancelled. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** Details Electron passes to permission handlers. */
export interface PermissionDetails {
  mediaTypes?: string[];
  mediaType?: string;
  requestingUrl?: string;
}

/** A browser session (cookies, permissions) of a window. */
export interface SessionLike {
  setPermissionRequestHandler(
    handler:
      | ((
          webContents: unknown,
          permission: string,
          callback: (granted: boolean) => void,
          details: PermissionDetails,
        ) => void)
      | null,
  ): void;
  setPermissionCheckHandler(
    handler:
      | ((webContents: unknown, permission: string, requestingOrigin: string, details: PermissionDetails) => boolean)
      | null,
  ): void;
}

/** The contents of a window (or any frame host). */
export interface WebContentsLike {
  on(event: string, listener: (event: PreventableEvent, ...args: unknown[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  session: SessionLike;
}

/** A window. */
export interface BrowserWindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  on(event: string, listener: () => void): unknown;
  once(event: string, listener: () => void): unknown;
  show(): void;
}

/** The options the app passes to `new BrowserWindow` (a subset of Electron's). */
export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    spellcheck: false;
  };
}

/** `BrowserWindow` as a constructor. */
export interface BrowserWindowConstructor {
  new (options: WindowOptions): BrowserWindowLike;
  getAllWindows(): BrowserWindowLike[];
}

/** Filters of file dialogs. */
export interface FileFilter {
  name: string;
  extensions: string[];
}

/** `dialog` (only the asynchronous calls). */
export interface DialogLike {
  showOpenDialog(
    window: BrowserWindowLike | undefined,
    options: { title?: string; properties: string[]; filters?: FileFilter[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    window: BrowserWindowLike | undefined,
    options: { title?: string; defaultPath?: string; filters?: FileFilter[] },
  ): Promise<{ canceled: boolean; filePath?: string }>;
}

/** The event of an `ipcMain.handle` call; `senderFrame.url` tells who asks. */
export interface IpcInvokeEvent {
  senderFrame?: { url: string } | null;
}

/** `ipcMain`. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown): void;
}

/** One menu item template (a subset of Electron's). */
export interface MenuItemTemplate {
  label?: string;
  role?: string;
  type?: 'separator' | 'normal' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItemTemplate[];
}

/** `Menu` (static side). */
export interface MenuStatic {
  buildFromTemplate(template: MenuItemTemplate[]): unknown;
  setApplicationMenu(menu: unknown): void;
}

/** A request to a custom protocol handler. */
export interface ProtocolRequest {
  url: string;
  method?: string;
}

/** `protocol`. */
export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
  handle(scheme: string, handler: (request: ProtocolRequest) => Response | Promise<Response>): void;
}

/** `app`. */
export interface AppLike {
  whenReady(): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  quit(): void;
}

/** Everything the main process takes from Electron. */
export interface ElectronLike {
  app: AppLike;
  BrowserWindow: BrowserWindowConstructor;
  dialog: DialogLike;
  ipcMain: IpcMainLike;
  Menu: MenuStatic;
  protocol: ProtocolLike;
}
