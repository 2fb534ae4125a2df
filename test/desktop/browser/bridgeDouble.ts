/**
 * Test double of the preload bridge, at the same typed interface ({@link UnmixBridge}).
 * Bundled into an init script: the test queues what the next dialog "chooses" and reads
 * back what was saved, through `window.__bridge`.
 */
import type { AudioFile, MenuCommand, OpenedAudio, UnmixBridge } from '../../../desktop/shared/bridge.js';

/** What the test sees of the double (`window.__bridge`). */
export interface BridgeControl {
  /** Responses of the next open dialogs, in order; null = the user cancels. */
  nextOpen: (OpenedAudio | null)[];
  nextReferences: (AudioFile[] | null)[];
  /** Files "written" by saveWav/saveWavs. */
  saved: AudioFile[];
  /** Every call, by name. */
  calls: string[];
  /** Send a menu command as the application menu would. */
  menu(command: MenuCommand): void;
}

const listeners = new Set<(command: MenuCommand) => void>();

const control: BridgeControl = {
  nextOpen: [],
  nextReferences: [],
  saved: [],
  calls: [],
  menu: (command) => listeners.forEach((listener) => listener(command)),
};

const bridge: UnmixBridge = {
  openAudio: async () => {
    control.calls.push('openAudio');
    return control.nextOpen.shift() ?? null;
  },
  openReferences: async () => {
    control.calls.push('openReferences');
    return control.nextReferences.shift() ?? null;
  },
  saveWav: async (name, bytes) => {
    control.calls.push('saveWav');
    control.saved.push({ name, bytes });
    return `/saved/${name}`;
  },
  saveWavs: async (files) => {
    control.calls.push('saveWavs');
    control.saved.push(...files);
    return '/saved';
  },
  onMenuCommand: (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

Object.assign(window, { unmix: bridge, __bridge: control });
