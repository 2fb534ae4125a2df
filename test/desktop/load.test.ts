import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../core/audio/wav.js';
import { UnmixError } from '../../core/errors.js';
import { decodeMixture, decodeReferences, parseMixing } from '../../desktop/renderer/load.js';

const wav = (channels: number, frames = 100, sampleRate = 16000) =>
  encodeWav({
    sampleRate,
    channels: Array.from({ length: channels }, (_, c) =>
      Float64Array.from({ length: frames }, (_, i) => Math.sin(i * (c + 1)) * 0.5),
    ),
  });

describe('opening files in the window', () => {
  it('opens one multichannel WAV or several mono WAVs as channels', () => {
    expect(decodeMixture([{ name: 'a.wav', bytes: wav(3) }]).signal.channels).toHaveLength(3);
    const two = decodeMixture([
      { name: 'l.wav', bytes: wav(1) },
      { name: 'r.wav', bytes: wav(1) },
    ]);
    expect(two.signal.channels).toHaveLength(2);
    expect(two.name).toBe('2 files');
  });

  it('says plainly what is wrong with a bad, mono or mismatched file', () => {
    expect(() => decodeMixture([{ name: 'x.wav', bytes: new Uint8Array([1, 2, 3]) }])).toThrow(
      /^x\.wav cannot be opened: /,
    );
    expect(() => decodeMixture([{ name: 'm.wav', bytes: wav(1) }])).toThrow(
      /^m\.wav has 1 channel: .* at least 2 microphones/,
    );
    expect(() =>
      decodeMixture([
        { name: 'l.wav', bytes: wav(1) },
        { name: 'r.wav', bytes: wav(1, 100, 8000) },
      ]),
    ).toThrow(/8000 Hz .* one sample rate/);
    expect(() =>
      decodeMixture([
        { name: 'l.wav', bytes: wav(1) },
        { name: 'r.wav', bytes: wav(1, 50) },
      ]),
    ).toThrow(/differ in length/);
    expect(() => decodeMixture([])).toThrow(UnmixError);
  });

  it('reads the true mixing matrix from a fixture JSON when it fits', () => {
    const a = parseMixing('{"mixing": [[1, 2], [3, 4]]}', 2);
    expect(a?.rows).toBe(2);
    expect(Array.from(a?.data ?? [])).toEqual([1, 2, 3, 4]);
    expect(parseMixing('{"mixing": [[1, 2], [3, 4]]}', 3)).toBeUndefined();
    expect(parseMixing('{"mixing": [[1, "x"], [3, 4]]}', 2)).toBeUndefined();
    expect(parseMixing('{"mixing": [[1], [3, 4]]}', 2)).toBeUndefined();
    expect(parseMixing('not json', 2)).toBeUndefined();
    expect(parseMixing('null', 2)).toBeUndefined();
  });

  it('reads references of the mixture’s rate and length', () => {
    const mixture = decodeMixture([{ name: 'a.wav', bytes: wav(2) }]).signal;
    const refs = decodeReferences([{ name: 'r.wav', bytes: wav(2) }], mixture);
    expect(refs.map((r) => r.name)).toEqual(['r.wav #1', 'r.wav #2']);
    // Several files: one source each; a multichannel one is the source's image at every
    // microphone, and channel 1 (the reference microphone) is the reference.
    const images = decodeReferences(
      [
        { name: 'mix.ref1.wav', bytes: wav(2) },
        { name: 'mix.ref2.wav', bytes: wav(2) },
      ],
      mixture,
    );
    expect(images.map((r) => r.name)).toEqual(['mix.ref1.wav', 'mix.ref2.wav']);
    expect(Array.from(images[0].samples.subarray(0, 5))).toEqual(Array.from(refs[0].samples.subarray(0, 5)));
    expect(() => decodeReferences([{ name: 'r.wav', bytes: wav(1, 99) }], mixture)).toThrow(/99 samples/);
    expect(() => decodeReferences([{ name: 'r.wav', bytes: wav(1, 100, 8000) }], mixture)).toThrow(/8000 Hz/);
  });
});
