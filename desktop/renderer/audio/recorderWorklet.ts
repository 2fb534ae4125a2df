/**
 * The AudioWorklet processor of the recorder: copies every input channel out of the audio
 * thread in blocks of `processorOptions.blockFrames` frames (default 1024; bundled to
 * `recorder-worklet.js`).
 */

declare const sampleRate: number;
declare function registerProcessor(name: string, processor: unknown): void;
declare class AudioWorkletProcessor {
  constructor(options?: { processorOptions?: { blockFrames?: number } });
  readonly port: MessagePort;
}

class RecorderProcessor extends AudioWorkletProcessor {
  private buffers: Float32Array[] = [];
  private filled = 0;
  private readonly blockFrames: number;

  constructor(options?: { processorOptions?: { blockFrames?: number } }) {
    super(options);
    const requested = options?.processorOptions?.blockFrames ?? 1024;
    this.blockFrames = Number.isInteger(requested) && requested >= 128 ? requested : 1024;
  }

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    if (this.buffers.length !== input.length) {
      this.buffers = input.map(() => new Float32Array(this.blockFrames));
      this.filled = 0;
    }
    const frames = input[0].length;
    let done = 0;
    while (done < frames) {
      const take = Math.min(frames - done, this.blockFrames - this.filled);
      for (let c = 0; c < input.length; c++) this.buffers[c].set(input[c].subarray(done, done + take), this.filled);
      this.filled += take;
      done += take;
      if (this.filled === this.blockFrames) this.flush();
    }
    return true;
  }

  private flush(): void {
    const block = this.buffers.map((buffer) => buffer.slice(0, this.filled));
    this.port.postMessage(
      { block, sampleRate },
      block.map((channel) => channel.buffer),
    );
    this.filled = 0;
  }
}

registerProcessor('unmix-recorder', RecorderProcessor);
