import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../cli/files.js';
import { IPC, MAX_FILE_BYTES, MAX_FILES, type AudioFile, type OpenedAudio } from '../shared/bridge.js';
import type { BrowserWindowLike, DialogLike, IpcInvokeEvent, IpcMainLike } from './electronApi.js';
import { isAppUrl } from './security.js';

/**
 * The main-process side of the bridge: dialogs and file access, nothing else. Every
 * argument that comes from the renderer is validated here (type, size, file name)
 * before it touches the disk, and only the app's own pages may call.
 */

/** A call from the renderer that is rejected; the message reaches the window. */
export class BridgeArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BridgeArgumentError';
  }
}

const WAV_FILTERS = [{ name: 'WAV audio', extensions: ['wav', 'wave'] }];

/**
 * A file name the renderer may suggest for a save: a plain base name (no directory, no
 * `..`, no control or reserved characters), at most 200 characters, ending in `.wav`
 * (or, with `allowJson`, in `.unmixing.json`: the unmixing file saved beside the tracks).
 */
export function validateWavName(value: unknown, allowJson = false): string {
  if (typeof value !== 'string') throw new BridgeArgumentError('the file name must be a string');
  if (value.length === 0 || value.length > 200)
    throw new BridgeArgumentError('the file name must have 1 to 200 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\\/:*?"<>|\u0000-\u001f]/.test(value) || value === '.' || value === '..' || value.startsWith('.')) {
    throw new BridgeArgumentError(`'${value}' is not a plain file name`);
  }
  if (!/\.wav$/i.test(value) && !(allowJson && /\.unmixing\.json$/i.test(value))) {
    throw new BridgeArgumentError(`'${value}' must end in .wav${allowJson ? ' or .unmixing.json' : ''}`);
  }
  return value;
}

/** Bytes from the renderer: a non-empty `Uint8Array` of at most {@link MAX_FILE_BYTES}. */
export function validateBytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new BridgeArgumentError('the file contents must be a Uint8Array');
  if (value.byteLength === 0) throw new BridgeArgumentError('the file is empty');
  if (value.byteLength > MAX_FILE_BYTES) throw new BridgeArgumentError('the file is too large');
  return value;
}

/** A list of files to save: 1..{@link MAX_FILES} entries, distinct valid names (WAVs and at most one unmixing JSON). */
export function validateFiles(value: unknown): AudioFile[] {
  if (!Array.isArray(value)) throw new BridgeArgumentError('the files must be an array');
  if (value.length === 0 || value.length > MAX_FILES) {
    throw new BridgeArgumentError(`between 1 and ${MAX_FILES} files can be saved at once`);
  }
  const names = new Set<string>();
  return value.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw new BridgeArgumentError('each file must be an object');
    const { name, bytes } = entry as Record<string, unknown>;
    const file = { name: validateWavName(name, true), bytes: validateBytes(bytes) };
    const key = file.name.toLowerCase();
    if (names.has(key)) throw new BridgeArgumentError(`'${file.name}' appears twice`);
    names.add(key);
    return file;
  });
}

/** Only the app's own pages may use the bridge (not a frame or page that got in some other way). */
export function checkSender(event: IpcInvokeEvent): void {
  const url = event.senderFrame?.url;
  if (url === undefined || !isAppUrl(url)) throw new BridgeArgumentError('this page may not use the unmix bridge');
}

/** Read a file the user chose, refusing directories and files over {@link MAX_FILE_BYTES}. */
export async function readChosenFile(file: string): Promise<AudioFile> {
  const info = await stat(file);
  if (!info.isFile()) throw new BridgeArgumentError(`${path.basename(file)} is not a file`);
  if (info.size > MAX_FILE_BYTES) throw new BridgeArgumentError(`${path.basename(file)} is too large to open`);
  return { name: path.basename(file), bytes: new Uint8Array(await readFile(file)) };
}

/**
 * The JSON beside a single WAV with the same stem (`x.wav` → `x.json`), as written by the
 * fixtures script and `unmix mix`; undefined when there is none or it is over 1 MB.
 */
export async function readSidecar(wavFile: string): Promise<{ name: string; text: string } | undefined> {
  const json = path.join(path.dirname(wavFile), `${path.basename(wavFile, path.extname(wavFile))}.json`);
  try {
    const info = await stat(json);
    if (!info.isFile() || info.size > 1_000_000) return undefined;
    return { name: path.basename(json), text: await readFile(json, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * The reference WAVs a sidecar JSON names (`references`, as `unmix mix` writes, or
 * `sources`, as the fixtures do), read from the JSON's folder or below it, never above;
 * undefined when it names none or one cannot be read (the mixture still opens).
 */
export async function readSidecarReferences(jsonFile: string, text: string): Promise<AudioFile[] | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = (json ?? {}) as Record<string, unknown>;
  const list = Array.isArray(record.references) ? record.references : record.sources;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_FILES) return undefined;
  const folder = path.dirname(path.resolve(jsonFile));
  const files: string[] = [];
  for (const entry of list) {
    if (typeof entry !== 'string' || !/\.wav$/i.test(entry)) return undefined;
    const file = path.resolve(folder, entry);
    if (!file.startsWith(folder + path.sep)) return undefined;
    files.push(file);
  }
  try {
    return await Promise.all(files.map(readChosenFile));
  } catch {
    return undefined;
  }
}

/** What the handlers need: Electron's dialog, and the window to attach dialogs to. */
export interface IpcDependencies {
  ipcMain: IpcMainLike;
  dialog: DialogLike;
  window: () => BrowserWindowLike | undefined;
}

/** The handlers by channel, callable directly (tests) and registered by {@link registerIpcHandlers}. */
export function ipcHandlers(
  deps: IpcDependencies,
): Record<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>> {
  const { dialog, window } = deps;
  return {
    [IPC.openAudio]: async (event, ...args) => {
      checkSender(event);
      if (args.length !== 0) throw new BridgeArgumentError('openAudio takes no arguments');
      const result = await dialog.showOpenDialog(window(), {
        title: 'Open a mixture: one multichannel WAV, or several mono WAVs as channels',
        properties: ['openFile', 'multiSelections'],
        filters: WAV_FILTERS,
      });
      if (result.canceled || result.filePaths.length === 0) return null;
      const files = await Promise.all(result.filePaths.map(readChosenFile));
      const opened: OpenedAudio = { files };
      if (result.filePaths.length === 1) {
        const sidecar = await readSidecar(result.filePaths[0]);
        if (sidecar) {
          opened.sidecar = sidecar;
          const jsonFile = path.join(path.dirname(result.filePaths[0]), sidecar.name);
          const references = await readSidecarReferences(jsonFile, sidecar.text);
          if (references) opened.references = references;
        }
      }
      return opened;
    },
    [IPC.openReferences]: async (event, ...args) => {
      checkSender(event);
      if (args.length !== 0) throw new BridgeArgumentError('openReferences takes no arguments');
      const result = await dialog.showOpenDialog(window(), {
        title: 'Open reference tracks (clean sources, one multichannel WAV or one mono WAV each)',
        properties: ['openFile', 'multiSelections'],
        filters: WAV_FILTERS,
      });
      if (result.canceled || result.filePaths.length === 0) return null;
      return Promise.all(result.filePaths.map(readChosenFile));
    },
    [IPC.saveWav]: async (event, ...args) => {
      checkSender(event);
      if (args.length !== 2) throw new BridgeArgumentError('saveWav takes a file name and the bytes');
      const name = validateWavName(args[0]);
      const bytes = validateBytes(args[1]);
      const result = await dialog.showSaveDialog(window(), {
        title: 'Save WAV',
        defaultPath: name,
        filters: WAV_FILTERS,
      });
      if (result.canceled || !result.filePath) return null;
      writeFileAtomic(result.filePath, bytes);
      return result.filePath;
    },
    [IPC.saveWavs]: async (event, ...args) => {
      checkSender(event);
      if (args.length !== 1) throw new BridgeArgumentError('saveWavs takes a list of files');
      const files = validateFiles(args[0]);
      const result = await dialog.showOpenDialog(window(), {
        title: 'Choose a folder for the tracks',
        properties: ['openDirectory', 'createDirectory'],
      });
      if (result.canceled || result.filePaths.length === 0) return null;
      const folder = result.filePaths[0];
      // Existing files are never replaced without asking: the folder dialog does not ask.
      const taken = files.filter((file) => existsSync(path.join(folder, file.name))).map((file) => file.name);
      if (taken.length > 0) {
        throw new BridgeArgumentError(`${folder} already holds ${taken.join(', ')}; choose another folder`);
      }
      for (const file of files) writeFileAtomic(path.join(folder, file.name), file.bytes);
      return folder;
    },
  };
}

/** Register every bridge handler on `ipcMain`. */
export function registerIpcHandlers(deps: IpcDependencies): void {
  for (const [channel, handler] of Object.entries(ipcHandlers(deps))) deps.ipcMain.handle(channel, handler);
}
