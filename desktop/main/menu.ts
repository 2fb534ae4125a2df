import type { MenuCommand } from '../shared/bridge.js';
import type { MenuItemTemplate } from './electronApi.js';

/**
 * The application menu. Items that act on the window's data send a {@link MenuCommand}
 * to the renderer, which does the work (the same as its toolbar buttons).
 *
 * @param send - delivers a command to the focused window
 * @param isMac - adds the macOS application menu
 */
export function menuTemplate(send: (command: MenuCommand) => void, isMac: boolean): MenuItemTemplate[] {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemTemplate => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => send(command),
  });
  const template: MenuItemTemplate[] = [
    {
      label: 'File',
      submenu: [
        item('Open Mixture…', 'open', 'CmdOrCtrl+O'),
        item('Open References…', 'open-references', 'CmdOrCtrl+Shift+O'),
        item('Record from Microphones…', 'record', 'CmdOrCtrl+R'),
        { type: 'separator' },
        item('Export All Tracks…', 'export-all', 'CmdOrCtrl+E'),
        { type: 'separator' },
        { role: isMac ? 'close' : 'quit' },
      ],
    },
    {
      label: 'Separation',
      submenu: [item('Separate', 'separate', 'CmdOrCtrl+Enter'), item('Cancel', 'cancel')],
    },
    {
      label: 'View',
      submenu: [
        item('Play / Stop', 'play'),
        item('Toggle Spectrogram', 'toggle-spectrogram', 'CmdOrCtrl+G'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { role: 'toggleDevTools' },
      ],
    },
    { role: 'windowMenu' },
  ];
  if (isMac) template.unshift({ role: 'appMenu' });
  return template;
}
