/**
 * The window: open or record a mixture, look at it and listen, separate it in a worker
 * with a live convergence plot, inspect W, and listen to/export the separated tracks.
 * It talks to the machine only through `window.unmix` ({@link UnmixBridge}).
 */
import { durationSeconds, type MultichannelSignal } from '../../core/audio/signal.js';
import { encodeWav } from '../../core/audio/wav.js';
import { isUnmixError, UnmixError } from '../../core/errors.js';
import type { RealMatrix } from '../../core/linalg/real.js';
import { unmixingFile } from '../../core/unmixing.js';
import { spectrogram, type Spectrogram } from '../../core/signal/spectrogram.js';
import type { TraceEntry } from '../../core/separate.js';
import type { AudioFile, MenuCommand, OpenedAudio, UnmixBridge } from '../shared/bridge.js';
import { Player, type PlayItem } from './audio/player.js';
import { listInputDevices, Recorder, type RecordOptions } from './audio/recorder.js';
import { attachLiveMode } from './live/liveMode.js';
import { byId, element, stemOf } from './dom.js';
import { trackColor } from './draw/canvas.js';
import { drawConvergence } from './draw/plot.js';
import { drawSpectrogram } from './draw/spectrogram.js';
import { computePeaks, drawWaveform, peakOf, type Peaks, type TimeView } from './draw/waveform.js';
import { decodeMixture, decodeReferences, parseMixing } from './load.js';
import { scoreTracks } from './views/analysis.js';
import { levelMeter } from './views/levelMeter.js';
import { addRecordingListener, notifyRecordingListeners } from './audio/recordingHooks.js';
import { MatrixView } from './views/matrixView.js';
import type { MethodInfo, RunOptions, WorkerResult } from './worker/messages.js';
import { SeparationClient } from './worker/client.js';

/** The state of the window. */
interface Mixture {
  signal: MultichannelSignal;
  name: string;
  mixing?: RealMatrix;
}

interface Lane {
  canvas: HTMLCanvasElement;
  samples: Float64Array;
  color: string;
  spectrogram?: Spectrogram;
  peaks?: Peaks;
}

interface Track {
  samples: Float64Array;
  solo: boolean;
  mute: boolean;
}

/** Show a message in the window (errors in red, notes in blue). */
function showMessage(text: string, kind: 'error' | 'note' = 'error'): void {
  const box = byId('message');
  byId('message-text').textContent = text;
  box.classList.toggle('note', kind === 'note');
  box.hidden = false;
}

function clearMessage(): void {
  byId('message').hidden = true;
}

/** The message for anything thrown: UnmixErrors as they are, bugs labelled as such. */
function messageOf(error: unknown): string {
  if (isUnmixError(error)) return error.message;
  if (error instanceof Error) return `Something went wrong inside unmix: ${error.message}`;
  return `Something went wrong inside unmix: ${String(error)}`;
}

class App {
  private mixture: Mixture | null = null;
  private references: { name: string; samples: Float64Array }[] = [];
  private result: WorkerResult | null = null;
  private tracks: Track[] = [];
  private methods: MethodInfo[] = [];
  private readonly view: TimeView = { start: 0, end: 1, cursor: null };
  private mixtureLanes: Lane[] = [];
  private trackLanes: Lane[] = [];
  private trace: TraceEntry[] = [];
  private maxIterations = 100;
  private readonly worker = new SeparationClient('worker.js');
  private readonly player = new Player();
  private readonly recorder = new Recorder('recorder-worklet.js');
  private recording: MultichannelSignal | null = null;
  private readonly matrix = new MatrixView();
  private playing: 'mixture' | 'tracks' | number | null = null;
  private redrawPending = false;
  /** The largest sample of each set of lanes, so levels compare across channels (computed once). */
  private readonly lanePeaks = new WeakMap<Lane[], number>();

  constructor(private readonly bridge: UnmixBridge) {}

  async start(): Promise<void> {
    this.wireToolbar();
    this.wireMixture();
    this.wireRecording();
    this.wireDragAndDrop();
    this.bridge.onMenuCommand((command) => void this.menu(command));
    this.player.onPosition = (seconds) => {
      this.view.cursor = seconds ?? this.view.cursor;
      if (seconds === null) this.setPlaying(null);
      this.scheduleRedraw();
    };
    window.addEventListener('resize', () => this.scheduleRedraw());
    document.addEventListener('keydown', (event) => {
      // Keys belong to the control that has focus (typing a number, pressing a button).
      if (event.target instanceof HTMLElement && event.target.closest('input, select, textarea, button')) return;
      if (event.key === ' ') {
        event.preventDefault();
        this.togglePlay(this.playing ?? 'mixture');
      } else if (event.key === 'Escape') {
        this.worker.cancel();
      }
    });
    const { methods, auto } = await this.worker.methods();
    this.methods = methods;
    const select = byId<HTMLSelectElement>('method');
    select.replaceChildren(
      ...(auto ? [element('option', { value: 'auto', textContent: `auto (${auto})` })] : []),
      ...methods.map((m) => element('option', { value: m.name, textContent: m.name, title: m.description })),
    );
    if (methods.length === 0) showMessage('No separation method is available in this build of unmix.');
    this.updateMethodOptions();
    document.body.dataset.ready = 'true';
  }

  // ----- toolbar and menu

  private wireToolbar(): void {
    byId('open').addEventListener('click', () => void this.guard(() => this.openFromDialog()));
    byId('open-references').addEventListener('click', () => void this.guard(() => this.openReferences()));
    byId('show-record').addEventListener('click', () => void this.guard(() => this.showRecording()));
    byId('separate').addEventListener('click', () => void this.separate());
    byId('cancel').addEventListener('click', () => this.worker.cancel());
    byId('method').addEventListener('change', () => this.updateMethodOptions());
    byId('message-close').addEventListener('click', clearMessage);
    byId('export-all').addEventListener('click', () => void this.guard(() => this.exportAll()));
    byId('play-tracks').addEventListener('click', () => this.togglePlay('tracks'));
  }

  private async menu(command: MenuCommand): Promise<void> {
    const actions: Record<MenuCommand, () => unknown> = {
      open: () => this.guard(() => this.openFromDialog()),
      'open-references': () => this.guard(() => this.openReferences()),
      record: () => this.guard(() => this.showRecording()),
      separate: () => this.separate(),
      cancel: () => this.worker.cancel(),
      'export-all': () => this.guard(() => this.exportAll()),
      'toggle-spectrogram': () => {
        const toggle = byId<HTMLInputElement>('spectrogram-toggle');
        toggle.checked = !toggle.checked;
        toggle.dispatchEvent(new Event('change'));
      },
      play: () => this.togglePlay('mixture'),
    };
    await actions[command]();
  }

  /** Run an action, turning any failure into a message in the window. */
  private async guard(action: () => unknown): Promise<void> {
    try {
      await action();
    } catch (error) {
      showMessage(messageOf(error));
    }
  }

  private selectedMethod(): MethodInfo | undefined {
    const name = byId<HTMLSelectElement>('method').value;
    return this.methods.find((m) => m.name === name) ?? this.methods.find((m) => m.model === 'convolutive');
  }

  private updateMethodOptions(): void {
    const method = this.selectedMethod();
    byId('fft-size-label').hidden = method?.model !== 'convolutive';
  }

  private updateButtons(): void {
    const busy = this.worker.busy;
    byId<HTMLButtonElement>('separate').disabled = busy || !this.mixture || this.methods.length === 0;
    byId<HTMLButtonElement>('cancel').disabled = !busy;
    byId<HTMLButtonElement>('open-references').disabled = !this.mixture;
    byId<HTMLButtonElement>('open').disabled = busy;
  }

  // ----- opening files

  private async openFromDialog(): Promise<void> {
    const opened = await this.bridge.openAudio();
    if (opened) this.openMixture(opened);
  }

  /** Open a mixture from files (dialog or drop); errors become messages. */
  openMixture(opened: OpenedAudio): void {
    const { signal, name } = decodeMixture(opened.files);
    const mixing = opened.sidecar ? parseMixing(opened.sidecar.text, signal.channels.length) : undefined;
    this.setMixture({ signal, name, ...(mixing ? { mixing } : {}) });
    if (opened.references) {
      // References named by the fixture / `unmix mix` JSON: score against them without asking.
      this.references = decodeReferences(opened.references, signal);
      byId('mixture-info').textContent += ` · ${this.references.length} references`;
    }
  }

  private setMixture(mixture: Mixture): void {
    this.player.stop();
    this.worker.cancel();
    clearMessage();
    this.mixture = mixture;
    this.result = null;
    this.references = [];
    this.tracks = [];
    this.view.start = 0;
    this.view.end = durationSeconds(mixture.signal);
    this.view.cursor = null;
    byId('welcome').hidden = true;
    byId('mixture-view').hidden = false;
    byId('convergence-view').hidden = true;
    byId('tracks-view').hidden = true;
    this.matrix.clear();
    const { signal } = mixture;
    byId('mixture-info').textContent =
      `${mixture.name} · ${signal.channels.length} channels · ${signal.sampleRate} Hz · ${durationSeconds(signal).toFixed(2)} s` +
      (mixture.mixing ? ' · true mixing known' : '');
    const sources = byId<HTMLInputElement>('sources');
    sources.max = String(signal.channels.length);
    if (Number(sources.value) > signal.channels.length) sources.value = '';
    this.mixtureLanes = this.buildLanes(
      byId('mixture-channels'),
      signal.channels,
      signal.channels.map((_, c) => `mic ${c + 1}`),
    );
    this.updateButtons();
    this.redraw();
  }

  private async openReferences(): Promise<void> {
    const mixture = this.mixture;
    if (!mixture) throw new UnmixError('open a mixture first, then its references');
    const files = await this.bridge.openReferences();
    if (!files) return;
    this.references = decodeReferences(files, mixture.signal);
    this.renderScores();
  }

  private wireDragAndDrop(): void {
    document.addEventListener('dragover', (event) => {
      event.preventDefault();
      document.body.classList.add('dragging');
    });
    document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
    document.addEventListener('drop', (event) => {
      event.preventDefault();
      document.body.classList.remove('dragging');
      const list = Array.from(event.dataTransfer?.files ?? []);
      void this.guard(async () => {
        const wavs = list.filter((file) => !/\.json$/i.test(file.name));
        const json = list.find((file) => /\.json$/i.test(file.name));
        const files: AudioFile[] = await Promise.all(
          wavs.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })),
        );
        this.openMixture({ files, ...(json ? { sidecar: { name: json.name, text: await json.text() } } : {}) });
      });
    });
  }

  // ----- lanes: waveforms or spectrograms with a shared cursor and zoom

  private buildLanes(container: HTMLElement, channels: Float64Array[], labels: (string | HTMLElement)[]): Lane[] {
    const rows: HTMLElement[] = [];
    const lanes = channels.map((samples, i) => {
      const canvas = element('canvas', { className: 'wave' });
      canvas.dataset.lane = String(i);
      const label = labels[i];
      rows.push(
        element('div', { className: 'lane' }, [
          typeof label === 'string' ? element('div', { className: 'label' }, [label]) : label,
          canvas,
        ]),
      );
      this.wireLane(canvas);
      return { canvas, samples, color: trackColor(i) };
    });
    container.replaceChildren(...rows);
    return lanes;
  }

  private wireLane(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('click', (event) => {
      const t = this.view.start + (event.offsetX / canvas.clientWidth) * (this.view.end - this.view.start);
      this.view.cursor = t;
      if (this.playing !== null) {
        const what = this.playing;
        this.setPlaying(null);
        this.togglePlay(what);
      }
      this.scheduleRedraw();
    });
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const at = this.view.start + (event.offsetX / canvas.clientWidth) * (this.view.end - this.view.start);
        if (event.shiftKey) this.pan(Math.sign(event.deltaY || event.deltaX) * 0.1);
        else this.zoom(event.deltaY < 0 ? 0.8 : 1.25, at);
      },
      { passive: false },
    );
  }

  private wireMixture(): void {
    byId('play-mixture').addEventListener('click', () => this.togglePlay('mixture'));
    byId('zoom-in').addEventListener('click', () =>
      this.zoom(0.5, this.view.cursor ?? (this.view.start + this.view.end) / 2),
    );
    byId('zoom-out').addEventListener('click', () => this.zoom(2, (this.view.start + this.view.end) / 2));
    byId('zoom-all').addEventListener('click', () => {
      if (!this.mixture) return;
      this.view.start = 0;
      this.view.end = durationSeconds(this.mixture.signal);
      this.scheduleRedraw();
    });
    byId('spectrogram-toggle').addEventListener('change', () => this.scheduleRedraw());
  }

  /** Zoom by `factor` (< 1 = in) around time `at`, within the recording. */
  private zoom(factor: number, at: number): void {
    if (!this.mixture) return;
    const duration = durationSeconds(this.mixture.signal);
    const minimum = Math.min(duration, 256 / this.mixture.signal.sampleRate);
    const width = Math.min(duration, Math.max(minimum, (this.view.end - this.view.start) * factor));
    const ratio = (at - this.view.start) / (this.view.end - this.view.start);
    let start = at - ratio * width;
    start = Math.min(Math.max(0, start), duration - width);
    this.view.start = start;
    this.view.end = start + width;
    this.scheduleRedraw();
  }

  private pan(fraction: number): void {
    if (!this.mixture) return;
    const duration = durationSeconds(this.mixture.signal);
    const width = this.view.end - this.view.start;
    const start = Math.min(Math.max(0, this.view.start + fraction * width), duration - width);
    this.view.start = start;
    this.view.end = start + width;
    this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      this.redraw();
    });
  }

  private redraw(): void {
    const mixture = this.mixture;
    if (!mixture) return;
    const spectrograms = byId<HTMLInputElement>('spectrogram-toggle').checked;
    const { sampleRate } = mixture.signal;
    const drawLanes = (lanes: Lane[]) => {
      let peak = this.lanePeaks.get(lanes);
      if (peak === undefined) {
        peak = peakOf(lanes.map((lane) => lane.samples));
        this.lanePeaks.set(lanes, peak);
      }
      for (const lane of lanes) {
        if (spectrograms) {
          lane.spectrogram ??= spectrogram(lane.samples, sampleRate, { fftSize: sampleRate > 24000 ? 1024 : 512 });
          drawSpectrogram(lane.canvas, lane.spectrogram, this.view);
        } else {
          // Block extremes only pay off for long signals drawn zoomed out.
          if (lane.samples.length > 1 << 20) lane.peaks ??= computePeaks(lane.samples);
          drawWaveform(lane.canvas, lane.samples, sampleRate, this.view, lane.color, peak, lane.peaks);
        }
      }
    };
    drawLanes(this.mixtureLanes);
    drawLanes(this.trackLanes);
    const cursor = this.view.cursor === null ? '' : ` · cursor ${this.view.cursor.toFixed(3)} s`;
    byId('time-info').textContent = `${this.view.start.toFixed(2)}–${this.view.end.toFixed(2)} s${cursor}`;
    if (!byId('convergence-view').hidden)
      drawConvergence(byId<HTMLCanvasElement>('convergence'), this.trace, this.maxIterations);
    this.matrix.draw();
  }

  // ----- playback

  private setPlaying(what: 'mixture' | 'tracks' | number | null): void {
    this.playing = what;
    byId('play-mixture').textContent = what === 'mixture' ? '■ Stop' : '▶ Play';
    byId('play-tracks').textContent = what === 'tracks' ? '■ Stop' : '▶ Play';
    document.querySelectorAll<HTMLButtonElement>('button.play-track').forEach((button) => {
      button.textContent = what === Number(button.dataset.track) ? '■' : '▶';
    });
  }

  private trackGain(index: number): number {
    const anySolo = this.tracks.some((t) => t.solo);
    const track = this.tracks[index];
    return track.mute || (anySolo && !track.solo) ? 0 : 1;
  }

  private togglePlay(what: 'mixture' | 'tracks' | number): void {
    const mixture = this.mixture;
    if (!mixture) return;
    if (this.playing === what) {
      this.player.stop();
      this.setPlaying(null);
      return;
    }
    let items: PlayItem[];
    if (what === 'mixture') {
      const n = mixture.signal.channels.length;
      // Spread the microphones across the stereo field, each at 1/n so the sum does not clip.
      items = mixture.signal.channels.map((samples, c) => ({
        samples,
        gain: 1 / n,
        pan: n === 1 ? 0 : -1 + (2 * c) / (n - 1),
      }));
    } else if (what === 'tracks') {
      items = this.tracks.map((t, i) => ({ samples: t.samples, gain: this.trackGain(i) / this.tracks.length, pan: 0 }));
    } else {
      items = [{ samples: this.tracks[what].samples, gain: 1, pan: 0 }];
    }
    const start = this.view.cursor ?? 0;
    this.player.play(items, mixture.signal.sampleRate, start >= durationSeconds(mixture.signal) - 0.01 ? 0 : start);
    this.setPlaying(what);
  }

  // ----- separation

  private runOptions(): RunOptions {
    const method = byId<HTMLSelectElement>('method').value;
    const options: RunOptions = { method };
    const integer = (id: string, what: string, min: number): number | undefined => {
      const raw = byId<HTMLInputElement>(id).value.trim();
      if (raw === '') return undefined;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min)
        throw new UnmixError(`${what} must be a whole number of at least ${min}`, 'usage');
      return value;
    };
    const iterations = integer('iterations', 'Iterations', 1);
    const sources = integer('sources', 'Sources', 1);
    const seed = integer('seed', 'Seed', 0);
    if (iterations !== undefined) options.iterations = iterations;
    if (sources !== undefined) options.sources = sources;
    if (seed !== undefined) options.seed = seed;
    const fftSize = byId<HTMLSelectElement>('fft-size').value;
    if (fftSize && this.selectedMethod()?.model === 'convolutive') options.fftSize = Number(fftSize);
    return options;
  }

  private async separate(): Promise<void> {
    const mixture = this.mixture;
    if (!mixture || this.worker.busy) return;
    let options: RunOptions;
    try {
      options = this.runOptions();
    } catch (error) {
      showMessage(messageOf(error));
      return;
    }
    clearMessage();
    this.trace = [];
    this.maxIterations = options.iterations ?? 100;
    const status = byId('run-status');
    byId('convergence-view').hidden = false;
    status.textContent = `running ${options.method}…`;
    const started = performance.now();
    const plot = byId<HTMLCanvasElement>('convergence');
    drawConvergence(plot, this.trace, this.maxIterations);
    let drawQueued = false;
    const separation = this.worker.separate(mixture.signal, options, (done, total, info) => {
      if (info) this.trace.push(info);
      if (total > 0) this.maxIterations = total;
      status.textContent = `running ${options.method}… iteration ${done} of ${total}${info ? ` · cost ${info.cost.toPrecision(5)} · gradient norm ${info.gradientNorm.toExponential(2)}` : ''}`;
      if (!drawQueued) {
        drawQueued = true;
        requestAnimationFrame(() => {
          drawQueued = false;
          drawConvergence(plot, this.trace, this.maxIterations);
        });
      }
    });
    this.updateButtons();
    try {
      const result = await separation;
      this.trace = result.trace.length > 0 ? result.trace : this.trace;
      const seconds = (performance.now() - started) / 1000;
      status.textContent = `${result.method}: ${result.iterations} iterations, ${result.converged ? 'converged' : 'stopped at the iteration limit'}, ${seconds.toFixed(1)} s`;
      this.maxIterations = Math.max(result.iterations, 2);
      drawConvergence(plot, this.trace, this.maxIterations);
      this.showResult(result);
    } catch (error) {
      if (isUnmixError(error) && error.kind === 'aborted') {
        status.textContent = 'cancelled';
      } else {
        status.textContent = 'failed';
        showMessage(messageOf(error));
      }
    } finally {
      this.updateButtons();
    }
  }

  private showResult(result: WorkerResult): void {
    const mixture = this.mixture;
    if (!mixture) return;
    this.player.stop();
    this.result = result;
    this.tracks = result.sources.channels.map((samples) => ({ samples, solo: false, mute: false }));
    this.matrix.show(result.unmixing, mixture.signal.sampleRate, mixture.mixing);
    byId('tracks-view').hidden = false;
    const labels = this.tracks.map((_, i) => this.trackLabel(i));
    this.trackLanes = this.buildLanes(
      byId('tracks'),
      this.tracks.map((t) => t.samples),
      labels,
    );
    this.renderScores();
    this.redraw();
  }

  private trackLabel(index: number): HTMLElement {
    const button = (text: string, className: string, title: string, onClick: (b: HTMLButtonElement) => void) => {
      const b = element('button', { textContent: text, className, title });
      b.dataset.track = String(index);
      b.addEventListener('click', () => onClick(b));
      return b;
    };
    const track = this.tracks[index];
    const updateGains = () => {
      this.tracks.forEach((_, i) => this.player.setGain(i, this.trackGain(i) / this.tracks.length));
    };
    return element('div', { className: 'label' }, [
      `source ${index + 1}`,
      element('div', { className: 'buttons' }, [
        button('▶', 'play-track', 'Play this track alone', () => this.togglePlay(index)),
        button('S', 'solo', 'Solo: play only soloed tracks', (b) => {
          track.solo = !track.solo;
          b.classList.toggle('on', track.solo);
          updateGains();
        }),
        button('M', 'mute', 'Mute in the mix', (b) => {
          track.mute = !track.mute;
          b.classList.toggle('on', track.mute);
          updateGains();
        }),
        button(
          'Export…',
          'export',
          'Save this track as a WAV file',
          () => void this.guard(() => this.exportTrack(index)),
        ),
      ]),
    ]);
  }

  private trackFile(index: number): AudioFile {
    const mixture = this.mixture;
    if (!mixture) throw new UnmixError('nothing to export');
    const bytes = encodeWav({ sampleRate: mixture.signal.sampleRate, channels: [this.tracks[index].samples] });
    return { name: `${stemOf(mixture.name)}.source${index + 1}.wav`, bytes };
  }

  private async exportTrack(index: number): Promise<void> {
    const file = this.trackFile(index);
    const saved = await this.bridge.saveWav(file.name, file.bytes);
    if (saved) showMessage(`Saved ${saved}`, 'note');
  }

  private async exportAll(): Promise<void> {
    if (this.tracks.length === 0) throw new UnmixError('separate the mixture first; there are no tracks to export yet');
    const mixture = this.mixture;
    const result = this.result;
    if (!mixture || !result) throw new UnmixError('separate the mixture first; there are no tracks to export yet');
    const files = this.tracks.map((_, i) => this.trackFile(i));
    // The same files as `unmix separate`: the tracks and the unmixing (a warm start for --init).
    const json = JSON.stringify(unmixingFile(result, mixture.signal), null, 1);
    files.push({ name: `${stemOf(mixture.name)}.unmixing.json`, bytes: new TextEncoder().encode(json) });
    const folder = await this.bridge.saveWavs(files);
    if (folder) showMessage(`Saved ${this.tracks.length} tracks and the unmixing in ${folder}`, 'note');
  }

  private renderScores(): void {
    const table = byId<HTMLTableElement>('scores');
    const mixture = this.mixture;
    if (!mixture || this.references.length === 0 || this.tracks.length === 0) {
      table.hidden = true;
      return;
    }
    const scores = scoreTracks(
      this.tracks.map((t) => t.samples),
      this.references.map((r) => r.samples),
      mixture.signal.channels[0],
    );
    const head = element('tr', {}, [
      element('th', { textContent: 'track' }),
      ...this.references.map((r) => element('th', { textContent: `SI-SDR vs ${r.name} (dB)` })),
      element('th', { textContent: 'SI-SDRi (dB)' }),
    ]);
    const rows = scores.map((score, i) =>
      element('tr', {}, [
        element('td', { textContent: `source ${i + 1}` }),
        ...score.siSdr.map((v, j) =>
          element('td', { textContent: v.toFixed(2), className: j === score.reference ? 'best' : '' }),
        ),
        element('td', { textContent: Number.isNaN(score.siSdrImprovement) ? '–' : score.siSdrImprovement.toFixed(2) }),
      ]),
    );
    table.replaceChildren(element('thead', {}, [head]), element('tbody', {}, rows));
    table.hidden = false;
  }

  // ----- recording

  private recordOptions: RecordOptions | null = null;

  private async showRecording(): Promise<void> {
    byId('record-view').hidden = false;
    byId('welcome').hidden = true;
    await this.refreshDevices();
  }

  private async refreshDevices(): Promise<void> {
    const select = byId<HTMLSelectElement>('record-device');
    const devices = await listInputDevices();
    const current = select.value;
    select.replaceChildren(
      element('option', { value: '', textContent: 'default input' }),
      ...devices
        .filter((d) => d.deviceId !== 'default' && d.deviceId !== '')
        .map((d) => element('option', { value: d.deviceId, textContent: d.label })),
    );
    select.value = current;
  }

  private wireRecording(): void {
    addRecordingListener(levelMeter(byId<HTMLCanvasElement>('record-levels')));
    const status = byId('record-status');
    let timer = 0;
    byId('record-start').addEventListener(
      'click',
      () =>
        void this.guard(async () => {
          const channelCount = Number(byId<HTMLInputElement>('record-channels').value);
          if (!Number.isInteger(channelCount) || channelCount < 1 || channelCount > 32) {
            throw new UnmixError('Channels must be a whole number from 1 to 32', 'usage');
          }
          const deviceId = byId<HTMLSelectElement>('record-device').value;
          const sampleRate = Number(byId<HTMLSelectElement>('record-rate').value) || undefined;
          this.recordOptions = {
            channelCount,
            ...(deviceId ? { deviceId } : {}),
            ...(sampleRate ? { sampleRate } : {}),
            // Streaming hook: every block goes to the listeners of recordingHooks.ts (live mode).
            onBlock: (block, rate) => notifyRecordingListeners('block', block, rate),
          };
          clearMessage();
          await this.recorder.start(this.recordOptions);
          notifyRecordingListeners('started', {
            sampleRate: this.recorder.sampleRate,
            channels: this.recorder.deliveredChannels,
          });
          byId<HTMLButtonElement>('record-start').disabled = true;
          byId<HTMLButtonElement>('record-stop').disabled = false;
          const delivered = this.recorder.deliveredChannels;
          if (delivered < channelCount) {
            showMessage(
              `The input delivers ${delivered} channel${delivered === 1 ? '' : 's'}; ${channelCount} were asked for.`,
              'note',
            );
          }
          status.textContent = 'recording… 0.0 s';
          timer = window.setInterval(() => {
            status.textContent = `recording… ${this.recorder.seconds.toFixed(1)} s`;
          }, 200);
          await this.refreshDevices();
        }),
    );
    byId('record-stop').addEventListener(
      'click',
      () =>
        void this.guard(async () => {
          window.clearInterval(timer);
          const signal = await this.recorder.stop();
          notifyRecordingListeners('stopped', signal);
          byId<HTMLButtonElement>('record-start').disabled = false;
          byId<HTMLButtonElement>('record-stop').disabled = true;
          const seconds = durationSeconds(signal);
          status.textContent = `recorded ${seconds.toFixed(1)} s, ${signal.channels.length} channel${signal.channels.length === 1 ? '' : 's'}`;
          if (signal.channels.length === 0 || signal.channels[0].length === 0)
            throw new UnmixError('nothing was recorded');
          this.recording = signal;
          byId<HTMLButtonElement>('record-save').disabled = false;
          if (signal.channels.length < 2) {
            throw new UnmixError('The recording has 1 channel: separating sources needs at least 2 microphones.');
          }
          this.setMixture({ signal, name: 'recording.wav' });
        }),
    );
    byId('record-save').addEventListener(
      'click',
      () =>
        void this.guard(async () => {
          if (!this.recording) return;
          const saved = await this.bridge.saveWav('recording.wav', encodeWav(this.recording));
          if (saved) showMessage(`Saved ${saved}`, 'note');
        }),
    );
  }
}

function boot(): void {
  // A failure anywhere shows in the window, never only in the console.
  window.addEventListener('error', (event) => showMessage(messageOf(event.error ?? event.message)));
  window.addEventListener('unhandledrejection', (event) => showMessage(messageOf(event.reason)));
  const bridge = (window as unknown as { unmix?: UnmixBridge }).unmix;
  if (!bridge) {
    showMessage(
      'unmix cannot reach its main process (the preload bridge is missing). Start it with `npm run desktop`.',
    );
    return;
  }
  const app = new App(bridge);
  (window as unknown as { unmixApp: App }).unmixApp = app;
  attachLiveMode();
  app.start().catch((error: unknown) => showMessage(messageOf(error)));
}

boot();
