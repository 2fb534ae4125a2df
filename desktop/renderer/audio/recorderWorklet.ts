/**
 * The AudioWorklet processor of the recorder: copies every input channel out of the audio
 * thread in blocks of {@link BLOCK_FRAMES} frames (bundled to `recorder-worklet.js`).
 */

declare const sampleRate: number;
declare function registerProcessor(name: string, processor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

const BLOCK_FRAMES = 2048;

class RecorderProcessor extends AudioWorkletProcessor {
  private buffers: Float32Array[] = [];
  private filled = 0;

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    if (this.buffers.length !== input.length) {
      this.buffers = input.map(() => new Float32Array(BLOCK_FRAMES));
      this.filled = 0;
    }
    const frames = input[0].length;
    let done = 0;
    while (done < frames) {
      const take = Math.min(frames - done, BLOCK_FRAMES - this.filled);
      for (let c = 0; c < input.length; c++) this.buffers[c].set(input[c].subarray(done, done + take), this.filled);
      this.filled += take;
      done += take;
      if (this.filled === BLOCK_FRAMES) this.flush();
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
