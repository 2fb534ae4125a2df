import { describe, expect, it } from 'vitest';
import type { ComplexUnmixing, RealUnmixing } from '../../core/separate.js';
import { unmixingFromJson, unmixingToJson } from '../../core/unmixing.js';

describe('unmixing JSON', () => {
  it('round-trips real and complex unmixings exactly', () => {
    const real: RealUnmixing = {
      kind: 'real',
      rows: 2,
      cols: 3,
      data: Float64Array.from([1, -2, 0.5, 1e-9, 3, Math.PI]),
      mean: Float64Array.from([0.1, 0, -0.2]),
    };
    expect(unmixingFromJson(JSON.parse(JSON.stringify(unmixingToJson(real))))).toEqual(real);
    const complex: ComplexUnmixing = {
      kind: 'complex',
      rows: 2,
      cols: 2,
      bins: 3,
      fftSize: 4,
      hopSamples: 1,
      data: Float64Array.from({ length: 24 }, (_, k) => Math.sin(k + 1)),
    };
    const json = unmixingToJson(complex);
    expect(json.kind === 'complex' && json.matrices[2][1][0]).toEqual([complex.data[20], complex.data[21]]);
    expect(unmixingFromJson({ unmixing: JSON.parse(JSON.stringify(json)) })).toEqual(complex);
  });

  it('rejects malformed files with a plain message', () => {
    expect(() => unmixingFromJson(null)).toThrow(/not a JSON object/);
    expect(() => unmixingFromJson({ kind: 'real', rows: 0, cols: 1 })).toThrow(/positive integers/);
    expect(() => unmixingFromJson({ kind: 'real', rows: 1, cols: 1, matrix: [['x']] })).toThrow(/1 rows of 1 numbers/);
    expect(() => unmixingFromJson({ kind: 'complex', rows: 1, cols: 1, bins: 2, fftSize: 4, hopSamples: 1 })).toThrow(
      /bins must be fftSize \/ 2 \+ 1/,
    );
    expect(() => unmixingFromJson({ kind: 'polar', rows: 1, cols: 1 })).toThrow(/kind must be/);
  });
});
