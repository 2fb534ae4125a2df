/**
 * Recording from microphones: choose an input device and a channel count, record, stop.
 * The recording becomes a mixture; blocks of samples are also handed to an optional
 * `onBlock` hook as they arrive (the window forwards them to the listeners of
 * recordingHooks.ts), so a live mode can separate the stream while recording.
 */
import type { MultichannelSignal } from '../../../core/audio/signal.js';
import { UnmixError } from '../../../core/errors.js';

/** An audio input the browser offers. */
export interface InputDevice {
  deviceId: string;
  label: string;
}

/** A block of samples as it arrives from the microphones: planar, `Float32Array` per channel. */
export type BlockListener = (block: Float32Array[], sampleRate: number) => void;

/** Options of {@link Recorder.start}. */
export interface RecordOptions {
  /** Device to record from; default the system's default input. */
  deviceId?: string;
  /** Channels (microphones) to record. */
  channelCount: number;
  /** Sample rate of the recording in Hz; default the device's. The browser resamples. */
  sampleRate?: number;
  /** Frames per block handed to `onBlock` (default 1024: 64 ms at 16 kHz). */
  blockFrames?: number;
  /** Streaming hook: called for every block of `blockFrames` frames, in order. */
  onBlock?: BlockListener;
}

/** The audio inputs, with labels when the microphone permission was granted. */
export async function listInputDevices(): Promise<InputDevice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((device) => device.kind === 'audioinput')
    .map((device, i) => ({ deviceId: device.deviceId, label: device.label || `Microphone ${i + 1}` }));
}

/** A plain message for a failed `getUserMedia`. */
export function microphoneErrorMessage(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'Microphone access was denied. Allow unmix to use the microphone (system settings) and try again.';
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found for this input device.';
  if (name === 'NotReadableError' || name === 'AbortError') {
    return 'The microphone is busy or cannot be opened (another program may be using it).';
  }
  return `The microphone cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
}

/** Records from one input device; one recording at a time. */
export class Recorder {
  private context: AudioContext | null = null;
  private stream: MediaStream | null = null;
  private node: AudioWorkletNode | null = null;
  private chunks: Float32Array[][] = [];
  private frames = 0;
  private rate = 0;
  private channels = 0;

  /** @param workletUrl - URL of the bundled recorder worklet */
  constructor(private readonly workletUrl: string) {}

  /** True while recording. */
  get recording(): boolean {
    return this.stream !== null;
  }

  /** Sample rate of the current or last recording in Hz (0 before the first). */
  get sampleRate(): number {
    return this.rate;
  }

  /** Seconds recorded so far. */
  get seconds(): number {
    return this.rate > 0 ? this.frames / this.rate : 0;
  }

  /** Channels actually delivered by the device (may be fewer than asked for). */
  get deliveredChannels(): number {
    return this.channels;
  }

  /**
   * Open the device and start recording. Rejects with an {@link UnmixError} carrying a
   * plain message when the microphone is denied or missing.
   */
  async start(options: RecordOptions): Promise<void> {
    if (this.recording) throw new UnmixError('already recording', 'usage');
    if (!navigator.mediaDevices?.getUserMedia) throw new UnmixError('this window cannot record audio');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}),
          channelCount: { ideal: options.channelCount },
          // Processing for calls mixes the channels down and changes the mixture: keep it raw.
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
        },
        video: false,
      });
    } catch (error) {
      this.stream = null;
      throw new UnmixError(microphoneErrorMessage(error));
    }
    const track = this.stream.getAudioTracks()[0];
    const delivered = track?.getSettings().channelCount ?? options.channelCount;
    this.channels = Math.min(options.channelCount, delivered);
    this.context = new AudioContext(options.sampleRate ? { sampleRate: options.sampleRate } : undefined);
    this.rate = this.context.sampleRate;
    this.chunks = [];
    this.frames = 0;
    await this.context.audioWorklet.addModule(this.workletUrl);
    const source = this.context.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.context, 'unmix-recorder', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: this.channels,
      channelCountMode: 'explicit',
      channelInterpretation: 'discrete',
      processorOptions: { blockFrames: options.blockFrames ?? 1024 },
    });
    this.node.port.onmessage = (event: MessageEvent<{ block: Float32Array[] }>) => {
      const block = event.data.block.slice(0, this.channels);
      this.chunks.push(block);
      this.frames += block[0].length;
      options.onBlock?.(block, this.rate);
    };
    source.connect(this.node);
    await this.context.resume();
  }

  /** Stop recording and return what was recorded (planar Float64). */
  async stop(): Promise<MultichannelSignal> {
    const { stream, context, node } = this;
    this.stream = null;
    this.node = null;
    this.context = null;
    node?.port.close();
    node?.disconnect();
    stream?.getTracks().forEach((track) => track.stop());
    await context?.close();
    const channels = Array.from({ length: this.channels }, () => new Float64Array(this.frames));
    let offset = 0;
    for (const block of this.chunks) {
      for (let c = 0; c < channels.length; c++) channels[c].set(block[c], offset);
      offset += block[0].length;
    }
    this.chunks = [];
    return { sampleRate: this.rate, channels };
  }
}
