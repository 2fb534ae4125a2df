import { describe, expect, it } from 'vitest';
import { computePeaks, peakOf } from '../../desktop/renderer/draw/waveform.js';

describe('waveform envelopes', () => {
  it('keeps each block’s extremes, the last block partial', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) * (i < 500 ? 0.5 : 1));
    const peaks = computePeaks(x, 256);
    expect(peaks.min.length).toBe(4);
    for (let b = 0; b < 4; b++) {
      const block = Array.from(x.subarray(b * 256, Math.min(1000, (b + 1) * 256)));
      expect(peaks.max[b]).toBeCloseTo(Math.max(...block), 6);
      expect(peaks.min[b]).toBeCloseTo(Math.min(...block), 6);
    }
    expect(peakOf([x, Float64Array.of(-2)])).toBe(2);
    expect(peakOf([new Float64Array(3)])).toBeGreaterThan(0);
  });
});
