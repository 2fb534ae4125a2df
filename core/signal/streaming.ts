import { UnmixError } from '../errors.js';
import { realFft, type RealFft } from './fft.js';
import { stftLayout, type StftOptions } from './stft.js';
import { createWindow, synthesisWindow } from './window.js';

/**
 * Streaming STFT -> per-frame processing -> streaming ISTFT: turns a stream of sample
 * blocks of any sizes into a stream of processed sample blocks, frame by frame, with
 * bounded memory and a fixed delay.
 *
 * It uses exactly the framing of the batch {@link stft} / {@link istft} in `stft.ts`
 * (frame `t` starts at sample `t * hop - (fftSize - hop)`, zeros before the start and
 * after the end, the same analysis window and least-squares synthesis window, the same
 * order of overlap-add), so with an identity frame processor the concatenated output is
 * bit-identical to `istft(stft(x))`, and with any processor it equals running that
 * processor frame by frame on the batch STFT.
 *
 * Latency: `latency = fftSize - hopSamples` samples (48 ms for FFT 1024, hop 256 at
 * 16 kHz). Fed blocks of `hopSamples` samples (an audio callback of one hop), each call
 * returns the hop of output that ended exactly `latency` samples before the block's end:
 * a whole frame must be heard before it is transformed, and a sample is final once the
 * last frame covering it has been added. With other block sizes, samples additionally
 * wait (up to `hopSamples - 1`) for the frame boundary. The first `latency` output samples
 * belong to time before the stream and are not returned, so the concatenated output has
 * exactly the input's length once
 * {@link StreamProcessor.flush} has been called.
 */

/** Anything that turns a stream of planar sample blocks into another stream, with a fixed delay. */
export interface StreamProcessor {
  /** Number of input channels expected by {@link process}. */
  readonly inputChannels: number;
  /** Number of output channels returned. */
  readonly outputChannels: number;
  /**
   * Algorithmic delay in samples: fed blocks of one hop, each call returns the output that
   * ended `latency` samples before the block's end (other block sizes add up to a hop of
   * waiting for the frame boundary).
   */
  readonly latency: number;
  /**
   * Feed one block (planar: one array per input channel, all the same length, any length
   * including 0) and get back every output sample that became final, planar (one array
   * per output channel). The input arrays are not kept; the returned arrays are new.
   */
  process(block: readonly Float64Array[]): Float64Array[];
  /** End of stream: return the remaining output samples so the total output length equals the total input length. */
  flush(): Float64Array[];
}

/**
 * Processes one STFT frame: `input[c]` holds channel `c`'s spectrum, `output[k]` receives
 * output channel `k`'s spectrum, both `2 * bins` values interleaved `(re, im)` for bins
 * `0 .. fftSize/2`. The arrays are reused between frames: copy what must be kept.
 */
export interface FrameProcessor {
  /** Number of input spectra per frame. */
  readonly inputChannels: number;
  /** Number of output spectra per frame. */
  readonly outputChannels: number;
  /** Process frame number `frame` (0-based, in order). */
  processFrame(input: readonly Float64Array[], output: Float64Array[], frame: number): void;
}

/** The frame processor that passes each spectrum through unchanged (for tests and latency checks). */
export function identityFrameProcessor(channels: number): FrameProcessor {
  return {
    inputChannels: channels,
    outputChannels: channels,
    processFrame(input, output) {
      for (let c = 0; c < channels; c++) output[c].set(input[c]);
    },
  };
}

/** Output being filled by one call: `at` samples written so far. */
interface OutputBlock {
  channels: Float64Array[];
  at: number;
}

/** The written part of `output` (the capacity is an upper bound while the first `latency` samples are dropped). */
function trim(output: OutputBlock): Float64Array[] {
  const { channels, at } = output;
  return channels.length > 0 && channels[0].length === at ? channels : channels.map((c) => c.slice(0, at));
}

/**
 * Block-in, block-out STFT processing with a fixed latency of `fftSize - hopSamples`
 * samples (see the module comment). Allocates its buffers once; each {@link process}
 * call allocates only the returned arrays.
 *
 * @example
 * const stream = new StftStream(identityFrameProcessor(2), { fftSize: 1024, hopSamples: 256 });
 * const out = stream.process(block); // 0 samples for the first 768 samples, then as they come
 * const tail = stream.flush();
 */
export class StftStream implements StreamProcessor {
  readonly inputChannels: number;
  readonly outputChannels: number;
  readonly latency: number;
  readonly fftSize: number;
  readonly hopSamples: number;
  readonly bins: number;
  private readonly processor: FrameProcessor;
  private readonly window: Float64Array;
  private readonly synthesis: Float64Array;
  private readonly fft: RealFft;
  /** Per input channel: the last `fftSize` samples; `filled` of them are valid. */
  private readonly inputBuffers: Float64Array[];
  private filled: number;
  /** Per output channel: overlap-add accumulator, `fftSize` samples from the oldest non-final one. */
  private readonly accumulators: Float64Array[];
  private readonly frame: Float64Array;
  private readonly inputSpectra: Float64Array[];
  private readonly outputSpectra: Float64Array[];
  /** Frames processed so far. */
  private frames = 0;
  /** Input samples received so far. */
  private received = 0;
  /** Output samples produced so far (including the `latency` leading ones that are dropped). */
  private produced = 0;
  /** Output samples returned so far. */
  private returned = 0;
  private finished = false;

  /**
   * @param processor - what to do with each frame
   * @param options - `fftSize` (power of two), `hopSamples` (default `fftSize / 4`), `window` (default `hann`)
   * @throws UnmixError (usage) for bad sizes, or a processor without channels
   */
  constructor(processor: FrameProcessor, options: StftOptions) {
    const layout = stftLayout(1, options);
    if (processor.inputChannels < 1 || processor.outputChannels < 1) {
      throw new UnmixError('a stream needs at least one input and one output channel', 'usage');
    }
    this.processor = processor;
    this.inputChannels = processor.inputChannels;
    this.outputChannels = processor.outputChannels;
    this.fftSize = layout.fftSize;
    this.hopSamples = layout.hopSamples;
    this.bins = layout.bins;
    this.latency = layout.fftSize - layout.hopSamples;
    this.window = createWindow(layout.window, layout.fftSize);
    this.synthesis = synthesisWindow(this.window, layout.hopSamples);
    this.fft = realFft(layout.fftSize);
    this.inputBuffers = Array.from({ length: this.inputChannels }, () => new Float64Array(layout.fftSize));
    // The batch STFT's first frame starts `latency` samples before the signal: zeros.
    this.filled = this.latency;
    this.accumulators = Array.from({ length: this.outputChannels }, () => new Float64Array(layout.fftSize));
    this.frame = new Float64Array(layout.fftSize);
    this.inputSpectra = Array.from({ length: this.inputChannels }, () => new Float64Array(layout.fftSize + 2));
    this.outputSpectra = Array.from({ length: this.outputChannels }, () => new Float64Array(layout.fftSize + 2));
  }

  /** Frames processed so far. */
  get framesProcessed(): number {
    return this.frames;
  }

  process(block: readonly Float64Array[]): Float64Array[] {
    if (this.finished) throw new UnmixError('the stream has been flushed', 'usage');
    if (block.length !== this.inputChannels) {
      throw new UnmixError(`expected ${this.inputChannels} channels, got ${block.length}`, 'input');
    }
    const count = block[0].length;
    for (const channel of block) {
      if (channel.length !== count) throw new UnmixError('all channels of a block must have the same length', 'input');
    }
    // Output samples that become final during this call: one hop per completed frame.
    const completed = Math.floor((this.filled + count - this.fftSize) / this.hopSamples) + 1;
    const output = this.allocateOutput(Math.max(0, completed) * this.hopSamples);
    let at = 0;
    while (at < count) {
      const take = Math.min(count - at, this.fftSize - this.filled);
      for (let c = 0; c < this.inputChannels; c++) {
        this.inputBuffers[c].set(block[c].subarray(at, at + take), this.filled);
      }
      this.filled += take;
      at += take;
      if (this.filled === this.fftSize) this.step(output);
    }
    this.received += count;
    return trim(output);
  }

  flush(): Float64Array[] {
    if (this.finished) throw new UnmixError('the stream has been flushed', 'usage');
    this.finished = true;
    const length = this.received;
    if (length === 0) return Array.from({ length: this.outputChannels }, () => new Float64Array(0));
    // As many frames as the batch STFT of `length` samples has; the rest of each frame is zeros.
    const total = Math.floor((length - 1 + this.latency) / this.hopSamples) + 1;
    const remaining = length - this.returned;
    const output = this.allocateOutput(remaining);
    while (this.frames < total) {
      for (let c = 0; c < this.inputChannels; c++) this.inputBuffers[c].fill(0, this.filled);
      this.filled = this.fftSize;
      this.step(output);
    }
    return trim(output);
  }

  private allocateOutput(capacity: number): OutputBlock {
    return { channels: Array.from({ length: this.outputChannels }, () => new Float64Array(capacity)), at: 0 };
  }

  /** Transform the full input buffer, process it, overlap-add, emit one hop, shift. */
  private step(output: OutputBlock): void {
    const { fftSize, hopSamples, window, synthesis, frame, fft } = this;
    for (let c = 0; c < this.inputChannels; c++) {
      const buffer = this.inputBuffers[c];
      for (let n = 0; n < fftSize; n++) frame[n] = window[n] * buffer[n];
      fft.forward(frame, this.inputSpectra[c]);
      buffer.copyWithin(0, hopSamples);
    }
    this.filled -= hopSamples;
    this.processor.processFrame(this.inputSpectra, this.outputSpectra, this.frames);
    this.frames++;
    // Samples before the signal's start (the first `latency` outputs) are dropped, samples
    // beyond its end (only in flush) are cut: the batch ISTFT never writes them either.
    const skip = Math.max(0, this.latency - this.produced);
    const limit = this.finished ? this.received - this.returned : Infinity;
    const emit = Math.max(0, Math.min(hopSamples - skip, limit, output.channels[0].length - output.at));
    for (let k = 0; k < this.outputChannels; k++) {
      const spectrum = this.outputSpectra[k];
      fft.inverse(spectrum, frame);
      const accumulator = this.accumulators[k];
      for (let n = 0; n < fftSize; n++) accumulator[n] += synthesis[n] * frame[n];
      output.channels[k].set(accumulator.subarray(skip, skip + emit), output.at);
      accumulator.copyWithin(0, hopSamples);
      accumulator.fill(0, fftSize - hopSamples);
    }
    output.at += emit;
    this.produced += hopSamples;
    this.returned += emit;
  }
}
