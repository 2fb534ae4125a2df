/**
 * The typed bridge between the renderer and the main process: the only things the
 * window can ask of the machine. The preload exposes an object of type
 * {@link UnmixBridge} as `window.unmix`; the browser tests stand in a test double of the
 * same type. Everything else (decoding, separation, drawing) happens in the renderer.
 */

/** A file's name (no directory) and its bytes. */
export interface AudioFile {
  /** Base name, e.g. `inst-2x2-speech.wav`. */
  name: string;
  bytes: Uint8Array;
}

/** What the user chose in the open dialog. */
export interface OpenedAudio {
  /** One multichannel WAV, or several mono WAVs to use as channels (in the order chosen). */
  files: AudioFile[];
  /**
   * A JSON file beside a single opened WAV with the same stem (a fixture or `unmix mix`
   * output), which may hold the true `mixing` matrix; its text, unparsed.
   */
  sidecar?: { name: string; text: string };
  /**
   * The reference tracks that sidecar names (`references` of `unmix mix`, `sources` of the
   * fixtures), read from beside it, when it names any.
   */
  references?: AudioFile[];
}

/** Commands the application menu sends to the window. */
export type MenuCommand =
  'open' | 'open-references' | 'record' | 'separate' | 'cancel' | 'export-all' | 'toggle-spectrogram' | 'play';

/** Every menu command, for validation. */
export const MENU_COMMANDS: readonly MenuCommand[] = [
  'open',
  'open-references',
  'record',
  'separate',
  'cancel',
  'export-all',
  'toggle-spectrogram',
  'play',
];

/** The API the preload exposes as `window.unmix`. */
export interface UnmixBridge {
  /** Show the open dialog for a mixture (one multichannel WAV or several mono WAVs); null when cancelled. */
  openAudio(): Promise<OpenedAudio | null>;
  /** Show the open dialog for reference tracks (clean sources) to score against; null when cancelled. */
  openReferences(): Promise<AudioFile[] | null>;
  /** Save one WAV through a save dialog; resolves to the path written, or null when cancelled. */
  saveWav(suggestedName: string, bytes: Uint8Array): Promise<string | null>;
  /**
   * Choose a folder and write every file into it (WAVs, and `<stem>.unmixing.json`);
   * never replaces a file. Resolves to the folder, or null when cancelled.
   */
  saveWavs(files: AudioFile[]): Promise<string | null>;
  /** Listen to menu commands; returns a function that stops listening. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

/** IPC channel names, one per bridge call. */
export const IPC = {
  openAudio: 'unmix:open-audio',
  openReferences: 'unmix:open-references',
  saveWav: 'unmix:save-wav',
  saveWavs: 'unmix:save-wavs',
  menuCommand: 'unmix:menu-command',
} as const;

/** Largest file the app opens or writes, in bytes (2 GiB keeps typed arrays addressable). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

/** Most files one save-all may write (sources of one separation). */
export const MAX_FILES = 64;
