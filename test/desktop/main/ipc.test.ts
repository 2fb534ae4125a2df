import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ipcHandlers,
  readSidecarReferences,
  registerIpcHandlers,
  validateBytes,
  validateFiles,
  validateWavName,
} from '../../../desktop/main/ipc.js';
import { IPC } from '../../../desktop/shared/bridge.js';
import type { DialogLike, IpcInvokeEvent } from '../../../desktop/main/electronApi.js';

const APP: IpcInvokeEvent = { senderFrame: { url: 'app://unmix/index.html' } };
const WAV = new Uint8Array([82, 73, 70, 70, 1, 2, 3]);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'unmix-ipc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function handlers(dialog: Partial<DialogLike>) {
  return ipcHandlers({
    ipcMain: { handle: () => {} },
    dialog: {
      showOpenDialog: dialog.showOpenDialog ?? (async () => ({ canceled: true, filePaths: [] })),
      showSaveDialog: dialog.showSaveDialog ?? (async () => ({ canceled: true })),
    },
    window: () => undefined,
  });
}

describe('IPC argument validation', () => {
  it('accepts plain .wav names only', () => {
    expect(validateWavName('mix.source1.wav')).toBe('mix.source1.wav');
    for (const bad of [
      '',
      '../x.wav',
      'a/b.wav',
      'a\\b.wav',
      'C:x.wav',
      '.hidden.wav',
      'x.txt',
      'x.wav\u0000',
      'x'.repeat(201) + '.wav',
      42,
      null,
    ]) {
      expect(() => validateWavName(bad), String(bad)).toThrow();
    }
  });

  it('accepts non-empty Uint8Arrays only', () => {
    expect(validateBytes(WAV)).toBe(WAV);
    for (const bad of [new Uint8Array(0), [1, 2], 'RIFF', new Float32Array(4), null])
      expect(() => validateBytes(bad)).toThrow();
  });

  it('accepts 1..64 distinct files', () => {
    expect(validateFiles([{ name: 'a.wav', bytes: WAV }])).toHaveLength(1);
    expect(() => validateFiles([])).toThrow(/between 1 and 64/);
    expect(() => validateFiles('a.wav')).toThrow(/array/);
    expect(() =>
      validateFiles([
        { name: 'a.wav', bytes: WAV },
        { name: 'A.WAV', bytes: WAV },
      ]),
    ).toThrow(/twice/);
    expect(() => validateFiles([null])).toThrow(/object/);
    expect(validateFiles([{ name: 'a.unmixing.json', bytes: WAV }])[0].name).toBe('a.unmixing.json');
    expect(() => validateFiles([{ name: 'a.json', bytes: WAV }])).toThrow(/\.wav or \.unmixing\.json/);
    expect(() => validateWavName('a.unmixing.json')).toThrow(/must end in \.wav/);
    expect(() => validateFiles(Array.from({ length: 65 }, (_, i) => ({ name: `${i}.wav`, bytes: WAV })))).toThrow();
  });
});

describe('IPC handlers', () => {
  it('registers one handler per bridge call', () => {
    const channels: string[] = [];
    registerIpcHandlers({
      ipcMain: { handle: (channel) => void channels.push(channel) },
      dialog: {
        showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
        showSaveDialog: async () => ({ canceled: true }),
      },
      window: () => undefined,
    });
    expect(channels.sort()).toEqual(
      Object.values(IPC)
        .filter((c) => c !== IPC.menuCommand)
        .sort(),
    );
  });

  it('refuses callers that are not the app page, and extra arguments', async () => {
    const h = handlers({});
    await expect(h[IPC.openAudio]({ senderFrame: { url: 'https://evil.example/' } })).rejects.toThrow(/may not use/);
    await expect(h[IPC.openAudio]({ senderFrame: null })).rejects.toThrow(/may not use/);
    await expect(h[IPC.openAudio](APP, 'x')).rejects.toThrow(/no arguments/);
    await expect(h[IPC.saveWav](APP, '../../etc/passwd.wav', WAV)).rejects.toThrow(/plain file name/);
    await expect(h[IPC.saveWav](APP, 'x.wav')).rejects.toThrow(/file name and the bytes/);
  });

  it('opens the chosen WAVs with the JSON beside a single file', async () => {
    const wav = path.join(dir, 'mix.wav');
    await writeFile(wav, WAV);
    await writeFile(path.join(dir, 'mix.json'), '{"mixing": [[1, 0], [0, 1]]}');
    const h = handlers({ showOpenDialog: async () => ({ canceled: false, filePaths: [wav] }) });
    const opened = (await h[IPC.openAudio](APP)) as {
      files: { name: string; bytes: Uint8Array }[];
      sidecar?: { name: string; text: string };
    };
    expect(opened.files[0].name).toBe('mix.wav');
    expect(Array.from(opened.files[0].bytes)).toEqual(Array.from(WAV));
    expect(opened.sidecar).toEqual({ name: 'mix.json', text: '{"mixing": [[1, 0], [0, 1]]}' });
    const cancelled = handlers({});
    expect(await cancelled[IPC.openAudio](APP)).toBeNull();
    const folder = handlers({ showOpenDialog: async () => ({ canceled: false, filePaths: [dir] }) });
    await expect(folder[IPC.openReferences](APP)).rejects.toThrow(/is not a file/);
  });

  it('reads the references a fixture or unmix mix JSON names, only from its folder or below', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'sources'));
    await writeFile(path.join(dir, 'sources', 'a.wav'), WAV);
    await writeFile(path.join(dir, 'mix.ref2.wav'), WAV);
    const json = path.join(dir, 'mix.json');
    const fixture = await readSidecarReferences(json, '{"sources": ["sources/a.wav", "mix.ref2.wav"]}');
    expect(fixture?.map((f) => f.name)).toEqual(['a.wav', 'mix.ref2.wav']);
    const mixed = await readSidecarReferences(json, '{"references": ["mix.ref2.wav"], "sources": ["x.wav"]}');
    expect(mixed?.map((f) => f.name)).toEqual(['mix.ref2.wav']);
    for (const text of [
      '{"references": ["../outside.wav"]}',
      '{"references": ["/etc/passwd.wav"]}',
      '{"references": ["notes.txt"]}',
      '{"references": ["missing.wav"]}',
      '{"references": [3]}',
      '{"mixing": [[1]]}',
      'not json',
    ]) {
      expect(await readSidecarReferences(json, text), text).toBeUndefined();
    }
    // Opening the WAV brings them along.
    await writeFile(path.join(dir, 'mix.wav'), WAV);
    await writeFile(json, '{"references": ["mix.ref2.wav"]}');
    const h = handlers({ showOpenDialog: async () => ({ canceled: false, filePaths: [path.join(dir, 'mix.wav')] }) });
    const opened = (await h[IPC.openAudio](APP)) as { references?: { name: string }[] };
    expect(opened.references?.map((f) => f.name)).toEqual(['mix.ref2.wav']);
  });

  it('saves one WAV where the dialog says, and all tracks into a folder without replacing files', async () => {
    const target = path.join(dir, 'out.wav');
    const save = handlers({ showSaveDialog: async () => ({ canceled: false, filePath: target }) });
    expect(await save[IPC.saveWav](APP, 'x.wav', WAV)).toBe(target);
    expect(Array.from(await readFile(target))).toEqual(Array.from(WAV));
    const all = handlers({ showOpenDialog: async () => ({ canceled: false, filePaths: [dir] }) });
    const files = [
      { name: 'a.source1.wav', bytes: WAV },
      { name: 'a.source2.wav', bytes: WAV },
    ];
    expect(await all[IPC.saveWavs](APP, files)).toBe(dir);
    expect((await readFile(path.join(dir, 'a.source2.wav'))).length).toBe(WAV.length);
    await expect(all[IPC.saveWavs](APP, files)).rejects.toThrow(/already holds a\.source1\.wav, a\.source2\.wav/);
    expect(await handlers({})[IPC.saveWav](APP, 'x.wav', WAV)).toBeNull();
  });
});
