/**
 * Live mode (issue 7): recording from a fake stereo microphone separates the stream as
 * it arrives, shows the levels and the current W as they change, and plays the chosen
 * separated source while recording.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleErrors, drawnPixels, ROOT, screenshot, startHarness, type Harness } from './harness.js';

const FIXTURE = path.join(ROOT, 'fixtures/inst-2x2-speech.wav');

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(FIXTURE);
});

afterAll(async () => {
  await harness?.close();
});

describe('live mode', () => {
  it('separates the microphone stream while recording, with levels, W and listening', async () => {
    const page = await harness.open();
    await page.click('#show-record');
    await page.waitForSelector('#live-view');
    expect(await page.isChecked('#live-toggle')).toBe(true);
    await page.fill('#record-channels', '2');
    await page.click('#record-start');
    await expect
      .poll(() => page.$eval('#live-listen', (s) => (s as HTMLSelectElement).options.length), { timeout: 10_000 })
      .toBe(3);
    await page.selectOption('#live-listen', '0');
    await expect
      .poll(() => page.getAttribute('#live-status', 'data-blocks'), { timeout: 10_000 })
      .toMatch(/^([5-9]|\d\d+)$/);
    await expect.poll(() => page.getAttribute('#live-w', 'data-updates'), { timeout: 10_000 }).toMatch(/^\d+$/);
    expect(await page.textContent('#live-status')).toMatch(
      /separating… \d+\.\d s, real-time factor \d+\.\d+, latency \d+ ms/,
    );
    const latency = Number(await page.getAttribute('#live-status', 'data-latency'));
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThanOrEqual(0.064);
    await expect.poll(() => page.getAttribute('#live-listen', 'data-played'), { timeout: 10_000 }).toMatch(/^\d+$/);
    expect(await drawnPixels(page, '#live-levels')).toBeGreaterThan(500);
    expect(await drawnPixels(page, '#live-w')).toBeGreaterThan(500);
    await screenshot(page, 'live', '#record-view');
    await page.click('#record-stop');
    await page.waitForSelector('#mixture-view:not([hidden])');
    expect(await page.getAttribute('#live-status', 'data-error')).toBeNull();
    expect(consoleErrors(page)).toEqual([]);
    await page.close();
  });
});
