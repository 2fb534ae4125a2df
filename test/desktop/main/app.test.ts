import { describe, expect, it } from 'vitest';
import { startApp } from '../../../desktop/main/app.js';
import { menuTemplate } from '../../../desktop/main/menu.js';
import { APP_URL } from '../../../desktop/main/security.js';
import { createBridge } from '../../../desktop/preload/bridge.js';
import { IPC, MENU_COMMANDS, type MenuCommand } from '../../../desktop/shared/bridge.js';
import type { MenuItemTemplate } from '../../../desktop/main/electronApi.js';
import { fakeElectron, fakeWebContents } from './fakes.js';

function items(template: MenuItemTemplate[]): MenuItemTemplate[] {
  return template.flatMap((item) => [item, ...items(item.submenu ?? [])]);
}

describe('startApp', () => {
  it('opens one hardened window on app://unmix with the preload, the protocol, IPC and the menu', async () => {
    const { electron, windows, appListeners, handlers, effects } = fakeElectron();
    const window = await startApp(electron, '/opt/unmix', 'linux');
    expect(windows).toHaveLength(1);
    expect(window).toBe(windows[0]);
    expect(windows[0].url).toBe(APP_URL);
    expect(windows[0].options.show).toBe(false);
    await Promise.resolve();
    expect(windows[0].shown).toBe(true);
    expect(windows[0].options.webPreferences.preload).toBe('/opt/unmix/preload.cjs');
    expect(windows[0].options.webPreferences.sandbox).toBe(true);
    expect(effects.schemes).toEqual([expect.objectContaining({ scheme: 'app' })]);
    expect([...effects.protocolHandlers.keys()]).toEqual(['app']);
    expect([...handlers.keys()].sort()).toEqual([IPC.openAudio, IPC.openReferences, IPC.saveWav, IPC.saveWavs].sort());
    // The permission handlers were installed on the window's session.
    expect(windows[0].contents.session.request).not.toBeNull();
    // Any web contents created later is hardened.
    const later = fakeWebContents();
    for (const listener of appListeners.get('web-contents-created') ?? [])
      (listener as (e: unknown, c: unknown) => void)({}, later);
    expect(later.emit('will-navigate', 'https://example.com')).toBe(true);
    // Menu items send their command to the window.
    const open = items(effects.menu ?? []).find((item) => item.label === 'Open Mixture…');
    open?.click?.();
    expect(windows[0].contents.sent).toEqual([[IPC.menuCommand, 'open']]);
    // Closing the last window quits (except on macOS).
    for (const listener of appListeners.get('window-all-closed') ?? []) (listener as () => void)();
    expect(effects.quit).toBe(1);
    // The protocol serves the renderer folder, and nothing outside it.
    const response = await effects.protocolHandlers.get('app')!({ url: 'app://unmix/..%2fmain.cjs' });
    expect(response.status).toBe(404);
  });

  it('keeps running on macOS when the window closes', async () => {
    const { electron, appListeners, effects } = fakeElectron();
    await startApp(electron, '/opt/unmix', 'darwin');
    for (const listener of appListeners.get('window-all-closed') ?? []) (listener as () => void)();
    expect(effects.quit).toBe(0);
  });
});

describe('menu', () => {
  it('offers every command the renderer understands', () => {
    const sent: MenuCommand[] = [];
    const all = items(menuTemplate((command) => sent.push(command), false));
    for (const item of all) item.click?.();
    expect([...new Set(sent)].sort()).toEqual([...MENU_COMMANDS].sort());
    expect(all.some((item) => item.role === 'appMenu')).toBe(false);
    expect(items(menuTemplate(() => {}, true)).some((item) => item.role === 'appMenu')).toBe(true);
  });
});

describe('preload bridge', () => {
  it('maps each call to its IPC channel and passes only known menu commands, without the IPC event', async () => {
    const invoked: unknown[][] = [];
    const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const bridge = createBridge({
      invoke: async (...args) => {
        invoked.push(args);
        return null;
      },
      on: (channel, listener) => listeners.set(channel, listener),
      removeListener: (channel) => listeners.delete(channel),
    });
    const bytes = new Uint8Array([1]);
    await bridge.openAudio();
    await bridge.openReferences();
    await bridge.saveWav('a.wav', bytes);
    await bridge.saveWavs([{ name: 'a.wav', bytes }]);
    expect(invoked).toEqual([
      [IPC.openAudio],
      [IPC.openReferences],
      [IPC.saveWav, 'a.wav', bytes],
      [IPC.saveWavs, [{ name: 'a.wav', bytes }]],
    ]);
    const received: unknown[][] = [];
    const stop = bridge.onMenuCommand((...args) => received.push(args));
    const emit = listeners.get(IPC.menuCommand)!;
    emit({ sender: 'secret' }, 'separate');
    emit({ sender: 'secret' }, 'rm -rf');
    expect(received).toEqual([['separate']]);
    stop();
    expect(listeners.has(IPC.menuCommand)).toBe(false);
  });
});
