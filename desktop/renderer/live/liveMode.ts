/**
 * Live mode of the recording view (issue 7): while recording, the microphone blocks go
 * to a worker running online AuxIVA; the window shows the microphones' and the separated
 * sources' levels and the current unmixing as they change, and can play one separated
 * source while recording (`latency` + one recorder block behind the microphones).
 *
 * It listens to recordings through the recorder's streaming hook (recordingHooks.ts) and
 * adds its own controls to the record view.
 */
import { addRecordingListener } from '../audio/recordingHooks.js';
import { byId, element } from '../dom.js';
import { prepareCanvas, trackColor } from '../draw/canvas.js';
import { drawHeatmap } from '../draw/heatmap.js';
import type { LiveRequest, LiveResponse } from './messages.js';

/** Levels below this are drawn as silence, dBFS. */
const FLOOR_DB = -80;
/** How far ahead of the audio clock separated blocks are scheduled, seconds (absorbs jitter). */
const PLAYBACK_LEAD_SECONDS = 0.05;

/** The live-mode state of one window. */
export class LiveMode {
  private worker: Worker | null = null;
  private active = false;
  private outputLevels: number[] = [];
  private playback: AudioContext | null = null;
  private nextPlayTime = 0;
  private sampleRate = 0;
  private blocks = 0;
  private played = 0;
  private readonly toggle: HTMLInputElement;
  private readonly listen: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly levels: HTMLCanvasElement;
  private readonly heatmap: HTMLCanvasElement;
  private readonly caption: HTMLElement;

  constructor(private readonly workerUrl = 'live-worker.js') {
    this.toggle = element('input', { type: 'checkbox', id: 'live-toggle', checked: true });
    this.listen = element('select', { id: 'live-listen' }, [element('option', { value: '', textContent: 'nothing' })]);
    this.status = element('span', { id: 'live-status', className: 'status' });
    this.levels = element('canvas', { id: 'live-levels', className: 'plot' });
    this.heatmap = element('canvas', { id: 'live-w', className: 'heatmap' });
    this.caption = element('figcaption', { id: 'live-w-caption', textContent: 'current W (appears while recording)' });
    const panel = element('div', { id: 'live-view' }, [
      element('div', { className: 'controls' }, [
        element('label', { title: 'Separate the microphones with online AuxIVA while recording' }, [
          this.toggle,
          ' Separate live',
        ]),
        element('label', { title: 'Play one separated source while recording' }, ['Listen to ', this.listen]),
        this.status,
      ]),
      element('div', { className: 'figures' }, [
        element('figure', {}, [this.levels, element('figcaption', { textContent: 'levels of the separated sources' })]),
        element('figure', {}, [this.heatmap, this.caption]),
      ]),
    ]);
    byId('record-view').append(panel);
    addRecordingListener({
      started: ({ sampleRate, channels }) => this.start(channels, sampleRate),
      block: (block) => this.block(block),
      stopped: () => this.stop(),
    });
    this.listen.addEventListener('change', () => {
      this.nextPlayTime = 0;
      if (this.listen.value !== '') void this.audio().resume();
    });
  }

  private audio(): AudioContext {
    this.playback ??= new AudioContext({ sampleRate: this.sampleRate || undefined });
    return this.playback;
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerUrl);
    worker.onmessage = (event: MessageEvent<LiveResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.fail(`live separation stopped: ${event.message || 'unknown error'}`);
    };
    return worker;
  }

  private post(request: LiveRequest, transfer: Transferable[] = []): void {
    this.worker?.postMessage(request, transfer);
  }

  /** A recording started: start a separator for its channels and rate. */
  private start(channels: number, rate: number): void {
    this.active = false;
    if (!this.toggle.checked) return;
    if (channels < 2) {
      this.status.textContent = 'live separation needs at least 2 channels';
      return;
    }
    this.active = true;
    this.blocks = 0;
    this.played = 0;
    this.sampleRate = rate;
    this.nextPlayTime = 0;
    delete this.status.dataset.error;
    if (this.playback && this.playback.sampleRate !== rate) {
      void this.playback.close();
      this.playback = null;
    }
    this.worker ??= this.spawn();
    this.post({ type: 'start', channels, sampleRate: rate });
    this.listen.replaceChildren(
      element('option', { value: '', textContent: 'nothing' }),
      ...Array.from({ length: channels }, (_, k) =>
        element('option', { value: String(k), textContent: `source ${k + 1}` }),
      ),
    );
    this.status.textContent = 'separating…';
  }

  /** A block from the recorder: to the worker (a copy: the recorder keeps its own). */
  private block(block: Float32Array[]): void {
    if (!this.active) return;
    const copy = block.map((channel) => channel.slice());
    this.post(
      { type: 'block', block: copy },
      copy.map((channel) => channel.buffer),
    );
  }

  private stop(): void {
    if (!this.active) return;
    this.active = false;
    this.post({ type: 'stop' });
  }

  private fail(message: string): void {
    this.active = false;
    this.worker?.terminate();
    this.worker = null;
    this.status.textContent = message;
    this.status.dataset.error = 'true';
  }

  private receive(message: LiveResponse): void {
    if (message.type === 'error') {
      this.fail(message.message);
    } else if (message.type === 'started') {
      this.status.dataset.latency = String(message.latencySeconds);
      this.status.textContent = `separating… (latency ${(1000 * message.latencySeconds).toFixed(0)} ms)`;
    } else if (message.type === 'output') {
      this.blocks++;
      this.outputLevels = message.outputLevels;
      this.status.dataset.blocks = String(this.blocks);
      this.status.textContent =
        `separating… ${message.seconds.toFixed(1)} s, real-time factor ${message.realTimeFactor.toFixed(2)}` +
        (this.status.dataset.latency ? `, latency ${(1000 * Number(this.status.dataset.latency)).toFixed(0)} ms` : '');
      this.drawLevels();
      this.play(message.block);
    } else if (message.type === 'unmixing') {
      const labels = (prefix: string, count: number): string[] =>
        Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
      drawHeatmap(this.heatmap, {
        rows: message.rows,
        cols: message.cols,
        values: Float64Array.from(message.magnitudes),
        rowLabels: labels('y', message.rows),
        colLabels: labels('mic', message.cols),
        signed: false,
      });
      this.caption.textContent = `current |W| at ${Math.round(message.frequency)} Hz (updated twice a second)`;
      this.heatmap.dataset.updates = String(Number(this.heatmap.dataset.updates ?? 0) + 1);
    }
  }

  /** Schedule the chosen source's new samples right after the previous ones. */
  private play(block: Float32Array[]): void {
    const choice = this.listen.value;
    if (choice === '' || block.length === 0 || block[0].length === 0) return;
    const samples = block[Number(choice)];
    if (!samples) return;
    const context = this.audio();
    const buffer = context.createBuffer(1, samples.length, this.sampleRate);
    buffer.getChannelData(0).set(samples);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    const now = context.currentTime;
    if (this.nextPlayTime < now + 0.005) this.nextPlayTime = now + PLAYBACK_LEAD_SECONDS;
    source.start(this.nextPlayTime);
    this.nextPlayTime += buffer.duration;
    this.played++;
    this.listen.dataset.played = String(this.played);
  }

  /** Horizontal level bars of the separated sources (the recorder's own meter shows the microphones). */
  private drawLevels(): void {
    const { context, width, height } = prepareCanvas(this.levels);
    const rows = this.outputLevels.map((db, k) => ({ label: `source ${k + 1}`, db, color: trackColor(k) }));
    const rowHeight = Math.max(6, Math.min(22, height / Math.max(1, rows.length)));
    const left = 70;
    context.font = '12px system-ui, sans-serif';
    context.textBaseline = 'middle';
    rows.forEach((row, i) => {
      const y = i * rowHeight;
      const fraction = Math.max(0, Math.min(1, (row.db - FLOOR_DB) / -FLOOR_DB));
      context.fillStyle = '#2a2f3a';
      context.fillRect(left, y + 2, width - left - 60, rowHeight - 4);
      context.fillStyle = row.color;
      context.fillRect(left, y + 2, (width - left - 60) * fraction, rowHeight - 4);
      context.fillStyle = '#aab2bf';
      context.fillText(row.label, 4, y + rowHeight / 2);
      context.fillText(`${row.db.toFixed(0)} dB`, width - 54, y + rowHeight / 2);
    });
  }
}

/** Add live mode to the window's record view. */
export function attachLiveMode(): LiveMode {
  return new LiveMode();
}
