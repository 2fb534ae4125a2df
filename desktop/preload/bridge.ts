/**
 * The bridge object the preload exposes, built on `ipcRenderer` (a parameter, so unit
 * tests pass a fake).
 */
import { IPC, MENU_COMMANDS, type MenuCommand, type UnmixBridge } from '../shared/bridge.js';

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The bridge over `ipcRenderer`; exported for unit tests. */
export function createBridge(ipcRenderer: IpcRendererLike): UnmixBridge {
  return {
    openAudio: () => ipcRenderer.invoke(IPC.openAudio) as ReturnType<UnmixBridge['openAudio']>,
    openReferences: () => ipcRenderer.invoke(IPC.openReferences) as ReturnType<UnmixBridge['openReferences']>,
    saveWav: (name, bytes) => ipcRenderer.invoke(IPC.saveWav, name, bytes) as Promise<string | null>,
    saveWavs: (files) => ipcRenderer.invoke(IPC.saveWavs, files) as Promise<string | null>,
    onMenuCommand: (listener) => {
      // The raw IPC event never reaches the page: it carries `sender`, a way back into Electron.
      const wrapped = (_event: unknown, command: unknown) => {
        if (MENU_COMMANDS.includes(command as MenuCommand)) listener(command as MenuCommand);
      };
      ipcRenderer.on(IPC.menuCommand, wrapped);
      return () => {
        ipcRenderer.removeListener(IPC.menuCommand, wrapped);
      };
    },
  };
}
