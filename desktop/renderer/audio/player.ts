/**
 * Playback with WebAudio: the mixture's channels, or the separated tracks with live
 * solo/mute gains, from a start time, reporting the play position for the shared cursor.
 */

/** One thing to play: a mono signal with a gain (0 = muted) and a stereo pan (-1..1). */
export interface PlayItem {
  samples: Float64Array;
  gain: number;
  pan: number;
}

/** Plays one set of items at a time. */
export class Player {
  private context: AudioContext | null = null;
  private nodes: { source: AudioBufferSourceNode; gain: GainNode }[] = [];
  private startedAt = 0;
  private offset = 0;
  private frame = 0;
  /** Called with the play position in seconds while playing, and with null when stopped. */
  onPosition: (seconds: number | null) => void = () => {};

  /** True while something plays. */
  get playing(): boolean {
    return this.nodes.length > 0;
  }

  /** Play `items` (all the same length) from `startSeconds`. */
  play(items: PlayItem[], sampleRate: number, startSeconds = 0): void {
    this.stop();
    if (items.length === 0) return;
    this.context ??= new AudioContext();
    const context = this.context;
    void context.resume();
    const length = items[0].samples.length;
    const start = Math.min(Math.max(0, startSeconds), length / sampleRate);
    this.nodes = items.map((item) => {
      const buffer = context.createBuffer(1, length, sampleRate);
      buffer.getChannelData(0).set(item.samples);
      const source = context.createBufferSource();
      source.buffer = buffer;
      const gain = context.createGain();
      gain.gain.value = item.gain;
      const pan = context.createStereoPanner();
      pan.pan.value = item.pan;
      source.connect(gain).connect(pan).connect(context.destination);
      return { source, gain };
    });
    this.offset = start;
    this.startedAt = context.currentTime;
    const duration = length / sampleRate;
    this.nodes[0].source.onended = () => {
      if (this.nodes.length > 0 && this.position() >= duration - 0.05) this.stop();
    };
    for (const node of this.nodes) node.source.start(0, start);
    const tick = () => {
      if (!this.playing) return;
      this.onPosition(Math.min(duration, this.position()));
      this.frame = requestAnimationFrame(tick);
    };
    tick();
  }

  /** Change the gain of item `index` while playing (solo/mute). */
  setGain(index: number, gain: number): void {
    const node = this.nodes[index];
    if (node && this.context) node.gain.gain.setValueAtTime(gain, this.context.currentTime);
  }

  /** The play position in seconds. */
  position(): number {
    return this.context ? this.offset + this.context.currentTime - this.startedAt : 0;
  }

  /** Stop playing. */
  stop(): void {
    cancelAnimationFrame(this.frame);
    const nodes = this.nodes;
    this.nodes = [];
    for (const node of nodes) {
      node.source.onended = null;
      try {
        node.source.stop();
      } catch {
        // already stopped
      }
      node.source.disconnect();
    }
    if (nodes.length > 0) this.onPosition(null);
  }
}
