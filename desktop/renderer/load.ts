/**
 * Turning the files a person opens into signals: one multichannel WAV or several mono
 * WAVs as the mixture, the true mixing matrix from a fixture's JSON, reference tracks.
 * Every problem a person can cause becomes an {@link UnmixError} with a plain message.
 */
import { validateSignal, type MultichannelSignal } from '../../core/audio/signal.js';
import { decodeWav } from '../../core/audio/wav.js';
import { UnmixError } from '../../core/errors.js';
import type { RealMatrix } from '../../core/linalg/real.js';
import type { AudioFile } from '../shared/bridge.js';

/** A decoded WAV file, named. */
function decodeFile(file: AudioFile): MultichannelSignal {
  try {
    const { signal } = decodeWav(file.bytes);
    return signal;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnmixError(`${file.name} cannot be opened: ${reason}`);
  }
}

/**
 * The mixture from the files a person opened: one multichannel WAV, or several WAVs whose
 * channels are put side by side (all at one sample rate and length).
 *
 * @returns the mixture (at least 2 channels) and a name for it
 */
export function decodeMixture(files: AudioFile[]): { signal: MultichannelSignal; name: string } {
  if (files.length === 0) throw new UnmixError('no file was opened');
  const signals = files.map(decodeFile);
  const first = signals[0];
  for (let i = 1; i < signals.length; i++) {
    if (signals[i].sampleRate !== first.sampleRate) {
      throw new UnmixError(
        `${files[i].name} is at ${signals[i].sampleRate} Hz but ${files[0].name} is at ${first.sampleRate} Hz; channels must share one sample rate`,
      );
    }
    if (signals[i].channels[0]?.length !== first.channels[0]?.length) {
      throw new UnmixError(
        `${files[i].name} and ${files[0].name} differ in length; channels must be recorded together`,
      );
    }
  }
  const signal: MultichannelSignal = { sampleRate: first.sampleRate, channels: signals.flatMap((s) => s.channels) };
  const name = files.length === 1 ? files[0].name : `${files.length} files`;
  if (signal.channels.length < 2) {
    throw new UnmixError(
      `${name} has 1 channel: separating sources needs a recording from at least 2 microphones (open a multichannel WAV, or several mono WAVs together)`,
    );
  }
  validateSignal(signal, name, 2);
  return { signal, name };
}

/**
 * The true mixing matrix `A` (microphones x sources) from a fixture's or `unmix mix`'s
 * JSON (`"mixing": [[...], ...]`), or undefined when the JSON has none or it does not fit
 * `channels` microphones.
 */
export function parseMixing(text: string, channels: number): RealMatrix | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const mixing = (json as { mixing?: unknown } | null)?.mixing;
  if (!Array.isArray(mixing) || mixing.length !== channels) return undefined;
  const cols = Array.isArray(mixing[0]) ? mixing[0].length : 0;
  if (cols === 0) return undefined;
  const data = new Float64Array(channels * cols);
  for (let r = 0; r < channels; r++) {
    const row: unknown = mixing[r];
    if (!Array.isArray(row) || row.length !== cols) return undefined;
    for (let c = 0; c < cols; c++) {
      const value: unknown = row[c];
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      data[r * cols + c] = value;
    }
  }
  return { rows: channels, cols, data };
}

/**
 * Reference tracks (clean sources) to score against, each as long as the mixture and at
 * its sample rate. One file: each of its channels is a source. Several files: each is one
 * source; a multichannel one holds the source's image at every microphone (as `unmix mix`
 * writes them), of which channel 1, the reference microphone, is the reference.
 */
export function decodeReferences(
  files: AudioFile[],
  mixture: MultichannelSignal,
): { name: string; samples: Float64Array }[] {
  const frames = mixture.channels[0].length;
  const references: { name: string; samples: Float64Array }[] = [];
  for (const file of files) {
    const signal = decodeFile(file);
    if (signal.sampleRate !== mixture.sampleRate) {
      throw new UnmixError(`${file.name} is at ${signal.sampleRate} Hz but the mixture is at ${mixture.sampleRate} Hz`);
    }
    if (signal.channels[0].length !== frames) {
      throw new UnmixError(`${file.name} has ${signal.channels[0].length} samples but the mixture has ${frames}`);
    }
    if (files.length === 1 && signal.channels.length > 1) {
      signal.channels.forEach((samples, c) => references.push({ name: `${file.name} #${c + 1}`, samples }));
    } else {
      references.push({ name: file.name, samples: signal.channels[0] });
    }
  }
  if (references.length === 0) throw new UnmixError('no reference track was opened');
  return references;
}
