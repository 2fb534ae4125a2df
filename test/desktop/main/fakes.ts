/** Fakes of Electron's main-process API for unit tests (the binary is not installed here). */
import type {
  BrowserWindowLike,
  DialogLike,
  ElectronLike,
  IpcInvokeEvent,
  MenuItemTemplate,
  PermissionDetails,
  PreventableEvent,
  ProtocolRequest,
  WebContentsLike,
  WindowOptions,
} from '../../../desktop/main/electronApi.js';

export type Listener = (event: PreventableEvent, ...args: unknown[]) => void;

/** A web contents that records listeners, the window-open handler, sent messages and session handlers. */
export function fakeWebContents() {
  const listeners = new Map<string, Listener[]>();
  const sent: unknown[][] = [];
  const session = {
    request: null as null | ((w: unknown, p: string, cb: (granted: boolean) => void, d: PermissionDetails) => void),
    check: null as null | ((w: unknown, p: string, origin: string, d: PermissionDetails) => boolean),
    setPermissionRequestHandler(handler: typeof session.request) {
      session.request = handler;
    },
    setPermissionCheckHandler(handler: typeof session.check) {
      session.check = handler;
    },
  };
  const contents = {
    openHandler: null as null | ((details: { url: string }) => { action: 'deny' | 'allow' }),
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }) {
      contents.openHandler = handler;
    },
    send(...args: unknown[]) {
      sent.push(args);
    },
    session,
    /** Fire `event`; true when a listener prevented the default. */
    emit(event: string, ...args: unknown[]): boolean {
      let prevented = false;
      for (const listener of listeners.get(event) ?? [])
        listener({ preventDefault: () => (prevented = true) }, ...args);
      return prevented;
    },
    sent,
  };
  return contents satisfies WebContentsLike;
}

/** A whole fake Electron with recorded effects. */
export function fakeElectron(dialogAnswers: Partial<DialogLike> = {}) {
  const windows: (BrowserWindowLike & {
    options: WindowOptions;
    url?: string;
    shown?: boolean;
    contents: ReturnType<typeof fakeWebContents>;
  })[] = [];
  const appListeners = new Map<string, ((...args: never[]) => void)[]>();
  const handlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => unknown>();
  const effects = {
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: ProtocolRequest) => Response | Promise<Response>>(),
    menu: null as MenuItemTemplate[] | null,
    quit: 0,
  };
  class BrowserWindow {
    static getAllWindows() {
      return windows;
    }
    webContents = fakeWebContents();
    contents = this.webContents;
    url?: string;
    constructor(public options: WindowOptions) {
      windows.push(this as never);
    }
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
    on() {
      return this;
    }
    shown = false;
    once(event: string, listener: () => void) {
      if (event === 'ready-to-show') queueMicrotask(listener);
      return this;
    }
    show() {
      this.shown = true;
    }
  }
  const electron: ElectronLike = {
    app: {
      whenReady: () => Promise.resolve(),
      on(event, listener) {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener]);
        return electron.app;
      },
      quit: () => {
        effects.quit++;
      },
    },
    BrowserWindow,
    dialog: {
      showOpenDialog: dialogAnswers.showOpenDialog ?? (async () => ({ canceled: true, filePaths: [] })),
      showSaveDialog: dialogAnswers.showSaveDialog ?? (async () => ({ canceled: true })),
    },
    ipcMain: { handle: (channel, listener) => void handlers.set(channel, listener) },
    Menu: {
      buildFromTemplate: (template) => template,
      setApplicationMenu: (menu) => {
        effects.menu = menu as MenuItemTemplate[];
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes) => void effects.schemes.push(...schemes),
      handle: (scheme, handler) => void effects.protocolHandlers.set(scheme, handler),
    },
  };
  return { electron, windows, appListeners, handlers, effects };
}
