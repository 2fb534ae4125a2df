/**
 * The desktop app's renderer, driven in headless Chromium as a person would use it: open
 * a fixture, separate it, look at the waveforms, W and the tracks, export a track; record
 * from a (fake) microphone and separate the recording; open bad files. Screenshots of each
 * view go to desktop/screenshots/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import {
  consoleErrors,
  drawnPixels,
  fileArgument,
  queueOpen,
  ROOT,
  screenshot,
  startHarness,
  type Harness,
} from './harness.js';

const FIXTURE = path.join(ROOT, 'fixtures/inst-2x2-speech.wav');
const FIXTURE_JSON = path.join(ROOT, 'fixtures/inst-2x2-speech.json');

let harness: Harness;

/** Generous polling: the suite shares two cores with every other test file. */
const POLL = { timeout: 10_000 };

beforeAll(async () => {
  harness = await startHarness(FIXTURE);
});

afterAll(async () => {
  await harness?.close();
});

async function openFixture(page: Page, withReferences = false): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const references = withReferences
    ? [
        await fileArgument(path.join(ROOT, 'fixtures/sources/speech-low.wav')),
        await fileArgument(path.join(ROOT, 'fixtures/sources/speech-high.wav')),
      ]
    : undefined;
  await queueOpen(
    page,
    [await fileArgument(FIXTURE)],
    { name: 'inst-2x2-speech.json', text: await readFile(FIXTURE_JSON, 'utf8') },
    'nextOpen',
    references,
  );
  await page.click('#open');
  await page.waitForSelector('#mixture-view:not([hidden])');
}

async function separate(page: Page, method: string, iterations?: number): Promise<void> {
  await page.selectOption('#method', method);
  if (iterations !== undefined) await page.fill('#iterations', String(iterations));
  await page.click('#separate');
  await page.waitForSelector('#tracks-view:not([hidden])', { timeout: 30_000 });
}

/** The files the page saved through the bridge double, as base64. */
async function savedFiles(page: Page): Promise<{ name: string; base64: string }[]> {
  return page.evaluate(() =>
    (window as unknown as { __bridge: { saved: { name: string; bytes: Uint8Array }[] } }).__bridge.saved.map((f) => ({
      name: f.name,
      base64: btoa(Array.from(f.bytes, (b) => String.fromCharCode(b)).join('')),
    })),
  );
}

async function message(page: Page): Promise<string> {
  await page.waitForSelector('#message:not([hidden])');
  return (await page.textContent('#message-text')) ?? '';
}

describe('desktop renderer in Chromium', () => {
  it('opens a fixture, separates it, draws waveforms, W and the tracks, and exports a track', async () => {
    const page = await harness.open();
    await openFixture(page);
    expect(await page.textContent('#mixture-info')).toContain('2 channels');
    expect(await page.textContent('#mixture-info')).toContain('true mixing known');
    expect(await page.locator('#mixture-channels canvas').count()).toBe(2);
    expect(await drawnPixels(page, '#mixture-channels canvas >> nth=0')).toBeGreaterThan(2000);
    await screenshot(page, 'mixture', '#mixture-view');

    await page.check('#spectrogram-toggle');
    await expect.poll(() => drawnPixels(page, '#mixture-channels canvas >> nth=1'), POLL).toBeGreaterThan(20000);
    await screenshot(page, 'mixture-spectrogram', '#mixture-view');
    await page.uncheck('#spectrogram-toggle');

    // Zoom in around the cursor, play, stop.
    await page.click('#mixture-channels canvas >> nth=0', { position: { x: 300, y: 40 } });
    await expect.poll(() => page.textContent('#time-info'), POLL).toMatch(/^0\.00–4\.00 s · cursor 1\.\d{3} s$/);
    await page.click('#zoom-in');
    await expect.poll(() => page.textContent('#time-info'), POLL).toMatch(/^0\.\d\d–2\.\d\d s/);
    await page.click('#play-mixture');
    expect(await page.textContent('#play-mixture')).toBe('■ Stop');
    await page.click('#play-mixture');
    expect(await page.textContent('#play-mixture')).toBe('▶ Play');
    await page.locator('body').press(' ');
    expect(await page.textContent('#play-mixture')).toBe('■ Stop');
    await page.locator('body').press(' ');
    expect(await page.textContent('#play-mixture')).toBe('▶ Play');
    await page.click('#zoom-all');

    await separate(page, 'test-slow', 12);
    expect(await page.textContent('#run-status')).toMatch(/12 iterations, converged/);
    expect(await drawnPixels(page, '#convergence')).toBeGreaterThan(500);
    expect(await drawnPixels(page, '#w-heatmap')).toBeGreaterThan(1000);
    expect(await page.isVisible('#wa-figure')).toBe(true);
    expect(await drawnPixels(page, '#wa-heatmap')).toBeGreaterThan(1000);
    expect(await page.textContent('#wa-caption')).toMatch(/Amari index 0\.\d{4}/);
    expect(await page.locator('#tracks canvas').count()).toBe(2);
    expect(await drawnPixels(page, '#tracks canvas >> nth=1')).toBeGreaterThan(2000);
    await screenshot(page, 'convergence', '#convergence-view');

    // Solo, mute and play the tracks.
    await page.click('#tracks button.solo >> nth=0');
    await page.click('#tracks button.mute >> nth=1');
    expect(await page.getAttribute('#tracks button.solo >> nth=0', 'class')).toContain('on');
    expect(await page.getAttribute('#tracks button.mute >> nth=1', 'class')).toContain('on');
    await page.click('#play-tracks');
    expect(await page.textContent('#play-tracks')).toBe('■ Stop');
    await page.click('#tracks button.play-track >> nth=1');
    expect(await page.textContent('#tracks button.play-track >> nth=1')).toBe('■');
    expect(await page.textContent('#play-tracks')).toBe('▶ Play');
    await page.click('#tracks button.play-track >> nth=1');
    expect(await page.textContent('#tracks button.play-track >> nth=1')).toBe('▶');
    await screenshot(page, 'matrix', '#matrix-view');

    // Hovering a cell shows its value.
    const box = (await page.locator('#w-heatmap').boundingBox())!;
    await page.mouse.move(box.x + 80, box.y + 80);
    await expect.poll(() => page.textContent('#tooltip'), POLL).toMatch(/W\[y1, mic 1\] = 1\.00/);

    // References → SI-SDR table.
    await queueOpen(
      page,
      [
        await fileArgument(path.join(ROOT, 'fixtures/sources/speech-low.wav')),
        await fileArgument(path.join(ROOT, 'fixtures/sources/speech-high.wav')),
      ],
      undefined,
      'nextReferences',
    );
    await page.click('#open-references');
    await page.waitForSelector('#scores:not([hidden])');
    expect(await page.locator('#scores tbody tr').count()).toBe(2);
    expect(await page.textContent('#scores thead')).toContain('SI-SDRi');
    await screenshot(page, 'tracks', '#tracks-view');

    // Export one track, then all, through the bridge.
    await page.click('#tracks button.export >> nth=0');
    await page.waitForFunction(
      () => (window as unknown as { __bridge: { saved: unknown[] } }).__bridge.saved.length === 1,
    );
    await page.click('#export-all');
    await page.waitForFunction(
      () => (window as unknown as { __bridge: { saved: unknown[] } }).__bridge.saved.length === 4,
    );
    const saved = await savedFiles(page);
    expect(saved.map((f) => f.name)).toEqual([
      'inst-2x2-speech.source1.wav',
      'inst-2x2-speech.source1.wav',
      'inst-2x2-speech.source2.wav',
      'inst-2x2-speech.unmixing.json',
    ]);
    const unmixing = JSON.parse(Buffer.from(saved[3].base64, 'base64').toString('utf8'));
    expect(unmixing).toMatchObject({ version: 1, method: 'test-slow', channels: 2, sources: 2 });
    expect(unmixing.unmixing.matrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
    const track = decodeWav(new Uint8Array(Buffer.from(saved[0].base64, 'base64'))).signal;
    expect(track.channels.length).toBe(1);
    expect(track.channels[0].length).toBe(64000);
    expect(track.sampleRate).toBe(16000);
    await screenshot(page, 'window-test-method');
    expect(consoleErrors(page)).toEqual([]);
    await page.close();
  });

  it('separates the 2x2 speech fixture with core ICA: W·A near a scaled permutation, tracks match the references', async () => {
    const page = await harness.open();
    // The references come along with the fixture (main reads those its JSON names).
    await openFixture(page, true);
    expect(await page.textContent('#mixture-info')).toMatch(/true mixing known · 2 references$/);
    await separate(page, 'ica');
    expect(await page.textContent('#run-status')).toMatch(/^ica: \d+ iterations, converged/);
    const amari = Number(/Amari index (\d\.\d+)/.exec((await page.textContent('#wa-caption')) ?? '')?.[1]);
    expect(amari).toBeLessThan(0.02);
    await page.waitForSelector('#scores:not([hidden])');
    const best = await page.$$eval('#scores td.best', (cells) => cells.map((c) => Number(c.textContent)));
    expect(best).toHaveLength(2);
    for (const value of best) expect(value).toBeGreaterThan(25);
    await page.mouse.move(0, 0);
    await screenshot(page, 'window');
    await page.close();
  });

  it('separates with an STFT method (auxiva) and shows W per frequency bin', async () => {
    const page = await harness.open();
    await openFixture(page);
    await separate(page, 'auxiva', 10);
    expect(await page.textContent('#run-status')).toMatch(/^auxiva: 10 iterations/);
    expect(await page.isVisible('#bin')).toBe(true);
    expect(await drawnPixels(page, '#bin-summary')).toBeGreaterThan(5000);
    expect(await drawnPixels(page, '#convergence')).toBeGreaterThan(500);
    // The fixture's mixing is instantaneous, so every bin's W(f)·A should be near a scaled permutation.
    const median = Number(/median over bins (\d\.\d+)/.exec((await page.textContent('#wa-caption')) ?? '')?.[1]);
    expect(median).toBeLessThan(0.1);
    expect(await drawnPixels(page, '#wa-heatmap')).toBeGreaterThan(1000);
    await screenshot(page, 'matrix-auxiva', '#matrix-view');
    await page.close();
  });

  it('separates a simulated room recording with its image references (unmix mix layout)', async () => {
    const page = await harness.open();
    const { readFile } = await import('node:fs/promises');
    await queueOpen(
      page,
      [await fileArgument(path.join(ROOT, 'fixtures/room-2x2-speech.wav'))],
      { name: 'room-2x2-speech.json', text: await readFile(path.join(ROOT, 'fixtures/room-2x2-speech.json'), 'utf8') },
      'nextOpen',
      [
        await fileArgument(path.join(ROOT, 'fixtures/room-2x2-speech.ref1.wav')),
        await fileArgument(path.join(ROOT, 'fixtures/room-2x2-speech.ref2.wav')),
      ],
    );
    await page.click('#open');
    await page.waitForSelector('#mixture-view:not([hidden])');
    expect(await page.textContent('#mixture-info')).toMatch(/2 references$/);
    await separate(page, 'auxiva');
    expect(await page.textContent('#run-status')).toMatch(/^auxiva: /);
    const improvements = await page.$$eval('#scores tbody tr td:last-child', (cells) =>
      cells.map((c) => Number(c.textContent)),
    );
    expect(improvements).toHaveLength(2);
    // AuxIVA reaches 4-8 dB on this fixture (test/core/iva/fdica.test.ts); the app shows what core gives.
    expect((improvements[0] + improvements[1]) / 2).toBeGreaterThan(2);
    await screenshot(page, 'room-tracks', '#tracks-view');
    await page.close();
  });

  it('shows one complex matrix per frequency bin with a slider and a summary across bins', async () => {
    const page = await harness.open();
    await openFixture(page);
    await page.selectOption('#method', 'test-stft');
    expect(await page.isVisible('#fft-size')).toBe(true);
    await page.selectOption('#fft-size', '256');
    await page.click('#separate');
    await page.waitForSelector('#tracks-view:not([hidden])');
    expect(await page.isVisible('#bin')).toBe(true);
    expect(await page.getAttribute('#bin', 'max')).toBe('128');
    const before = await page.textContent('#bin-label');
    expect(before).toMatch(/^bin 16 of 128 · 1000 Hz$/);
    expect(await drawnPixels(page, '#bin-summary')).toBeGreaterThan(5000);
    await page.fill('#bin', '100');
    expect(await page.textContent('#bin-label')).toBe('bin 100 of 128 · 6250 Hz');
    expect(await drawnPixels(page, '#w-heatmap')).toBeGreaterThan(1000);
    const box = (await page.locator('#w-heatmap').boundingBox())!;
    await page.mouse.move(box.x + 80, box.y + 80);
    await expect
      .poll(() => page.textContent('#tooltip'), POLL)
      .toMatch(/^W\[y1, mic 1\]\(bin 100\) = .*j\n\|·\| = .*phase/);
    await screenshot(page, 'matrix-per-bin', '#matrix-view');
    await page.close();
  });

  it('cancels a running separation', async () => {
    const page = await harness.open();
    await openFixture(page);
    await page.selectOption('#method', 'test-slow');
    await page.fill('#iterations', '400');
    await page.click('#separate');
    // Some iterations have run (the method reports each one) when we cancel.
    await expect
      .poll(
        async () => Number(/iteration (\d+) of/.exec((await page.textContent('#run-status')) ?? '')?.[1] ?? 0),
        POLL,
      )
      .toBeGreaterThanOrEqual(3);
    expect(await page.isDisabled('#separate')).toBe(true);
    await page.click('#cancel');
    await expect.poll(() => page.textContent('#run-status'), POLL).toBe('cancelled');
    expect(await page.isDisabled('#separate')).toBe(false);
    expect(await page.isHidden('#tracks-view')).toBe(true);
    await page.close();
  });

  it('records from a fake stereo microphone and separates the recording', async () => {
    const page = await harness.open();
    await page.click('#show-record');
    await page.waitForSelector('#record-view:not([hidden])');
    await page.fill('#record-channels', '2');
    await page.click('#record-start');
    await expect.poll(() => page.textContent('#record-status'), POLL).toMatch(/recording… (1\.[2-9]|[2-9])/);
    await expect.poll(() => drawnPixels(page, '#record-levels'), POLL).toBeGreaterThan(500);
    await screenshot(page, 'recording', '#record-view');
    await page.click('#record-stop');
    await page.waitForSelector('#mixture-view:not([hidden])');
    expect(await page.textContent('#mixture-info')).toMatch(/recording\.wav · 2 channels/);
    expect(await drawnPixels(page, '#mixture-channels canvas >> nth=0')).toBeGreaterThan(1000);
    await page.click('#record-save');
    await page.waitForFunction(
      () => (window as unknown as { __bridge: { saved: unknown[] } }).__bridge.saved.length === 1,
    );
    const [saved] = await savedFiles(page);
    expect(saved.name).toBe('recording.wav');
    const recording = decodeWav(new Uint8Array(Buffer.from(saved.base64, 'base64'))).signal;
    expect(recording.channels).toHaveLength(2);
    expect(recording.sampleRate).toBe(16000);
    expect(recording.channels[0].length / recording.sampleRate).toBeGreaterThan(1);
    // Two different microphones, not one channel copied: the fixture's channels differ.
    let difference = 0;
    let level = 0;
    for (let i = 0; i < recording.channels[0].length; i++) {
      difference += Math.abs(recording.channels[0][i] - recording.channels[1][i]);
      level += Math.abs(recording.channels[0][i]);
    }
    expect(level).toBeGreaterThan(0);
    expect(difference / level).toBeGreaterThan(0.1);
    await separate(page, 'ica');
    expect(await page.textContent('#run-status')).toMatch(/^ica: \d+ iterations/);
    expect(await page.locator('#tracks canvas').count()).toBe(2);
    await screenshot(page, 'recorded-mixture');
    await page.close();
  });

  it('opens mono WAVs dropped on the window together as channels', async () => {
    const page = await harness.open();
    const files = [
      await fileArgument(path.join(ROOT, 'fixtures/sources/speech-low.wav')),
      await fileArgument(path.join(ROOT, 'fixtures/sources/tone.wav')),
    ];
    const dataTransfer = await page.evaluateHandle((files) => {
      const transfer = new DataTransfer();
      for (const f of files) {
        transfer.items.add(
          new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: 'audio/wav' }),
        );
      }
      return transfer;
    }, files);
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await page.waitForSelector('#mixture-view:not([hidden])');
    expect(await page.textContent('#mixture-info')).toMatch(/^2 files · 2 channels · 16000 Hz/);
    expect(await drawnPixels(page, '#mixture-channels canvas >> nth=1')).toBeGreaterThan(2000);
    await page.close();
  });

  it('shows a plain message for a bad file, a mono file and a denied microphone', async () => {
    const page = await harness.open();
    await queueOpen(page, [{ name: 'notes.wav', base64: Buffer.from('this is not a wav file').toString('base64') }]);
    await page.click('#open');
    expect(await message(page)).toMatch(/^notes\.wav cannot be opened: /);
    await screenshot(page, 'error-bad-file');

    await queueOpen(page, [await fileArgument(path.join(ROOT, 'fixtures/sources/tone.wav'))]);
    await page.click('#open');
    await expect
      .poll(() => page.textContent('#message-text'))
      .toMatch(/^tone\.wav has 1 channel: separating sources needs .* at least 2 microphones/);
    expect(await page.isHidden('#mixture-view')).toBe(true);
    await page.close();

    const denied = await harness.open({
      initScript: `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));`,
    });
    await denied.click('#show-record');
    await denied.click('#record-start');
    expect(await message(denied)).toMatch(/^Microphone access was denied/);
    await screenshot(denied, 'error-microphone-denied');
    await denied.close();
  });
});
