import type { MultichannelSignal } from './audio/signal.js';
import { UnmixError } from './errors.js';
import type { ComplexUnmixing, RealUnmixing, SeparationResult, TraceEntry, Unmixing } from './separate.js';

/**
 * The `<stem>.unmixing.json` file: an unmixing with what made it, readable by people and
 * programs, and loadable as a warm start (`--init`). Shared by the CLI and the desktop
 * app's export.
 */

/** JSON form of a real unmixing: `matrix[r][c]`. */
export interface RealUnmixingJson {
  kind: 'real';
  rows: number;
  cols: number;
  matrix: number[][];
  mean: number[];
}

/** JSON form of a complex unmixing: `matrices[f][r][c] = [re, im]`. */
export interface ComplexUnmixingJson {
  kind: 'complex';
  rows: number;
  cols: number;
  bins: number;
  fftSize: number;
  hopSamples: number;
  matrices: [number, number][][][];
}

/** The whole unmixing file. */
export interface UnmixingFile {
  /** Format version of this file. */
  version: 1;
  method: string;
  options: Record<string, unknown>;
  iterations: number;
  converged: boolean;
  sampleRate: number;
  /** Number of input channels. */
  channels: number;
  /** Number of separated sources. */
  sources: number;
  unmixing: RealUnmixingJson | ComplexUnmixingJson;
  trace: TraceEntry[];
}

/** Convert an unmixing to its JSON form. */
export function unmixingToJson(unmixing: Unmixing): RealUnmixingJson | ComplexUnmixingJson {
  const { rows, cols } = unmixing;
  if (unmixing.kind === 'real') {
    return {
      kind: 'real',
      rows,
      cols,
      matrix: Array.from({ length: rows }, (_, r) => Array.from(unmixing.data.subarray(r * cols, (r + 1) * cols))),
      mean: Array.from(unmixing.mean),
    };
  }
  const matrices: [number, number][][][] = [];
  for (let f = 0; f < unmixing.bins; f++) {
    const matrix: [number, number][][] = [];
    for (let r = 0; r < rows; r++) {
      const row: [number, number][] = [];
      for (let c = 0; c < cols; c++) {
        const k = 2 * ((f * rows + r) * cols + c);
        row.push([unmixing.data[k], unmixing.data[k + 1]]);
      }
      matrix.push(row);
    }
    matrices.push(matrix);
  }
  return {
    kind: 'complex',
    rows,
    cols,
    bins: unmixing.bins,
    fftSize: unmixing.fftSize,
    hopSamples: unmixing.hopSamples,
    matrices,
  };
}

/** Build the unmixing file of a separation of `mixture`. */
export function unmixingFile(result: SeparationResult, mixture: MultichannelSignal): UnmixingFile {
  return {
    version: 1,
    method: result.method,
    options: result.options,
    iterations: result.iterations,
    converged: result.converged,
    sampleRate: mixture.sampleRate,
    channels: mixture.channels.length,
    sources: result.sources.channels.length,
    unmixing: unmixingToJson(result.unmixing),
    trace: result.trace,
  };
}

function isNumberArray(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number' && isFinite(v));
}

/**
 * Parse an unmixing back from JSON (the whole file or its `unmixing` member), checking
 * every shape so a hand-edited or truncated file gives a plain error.
 *
 * @throws UnmixError when the JSON is not a well-formed unmixing.
 */
export function unmixingFromJson(json: unknown): Unmixing {
  const bad = (why: string): UnmixError => new UnmixError(`not a valid unmixing file: ${why}`);
  if (typeof json !== 'object' || json === null) throw bad('not a JSON object');
  const value = ('unmixing' in json ? (json as { unmixing: unknown }).unmixing : json) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) throw bad('no unmixing');
  const rows = value.rows;
  const cols = value.cols;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || (rows as number) < 1 || (cols as number) < 1) {
    throw bad('rows and cols must be positive integers');
  }
  const r = rows as number;
  const c = cols as number;
  if (value.kind === 'real') {
    const matrix = value.matrix;
    if (!Array.isArray(matrix) || matrix.length !== r || !matrix.every((row) => isNumberArray(row, c))) {
      throw bad(`matrix must be ${r} rows of ${c} numbers`);
    }
    const mean = value.mean === undefined ? new Array<number>(c).fill(0) : value.mean;
    if (!isNumberArray(mean, c)) throw bad(`mean must be ${c} numbers`);
    const result: RealUnmixing = {
      kind: 'real',
      rows: r,
      cols: c,
      data: Float64Array.from((matrix as number[][]).flat()),
      mean: Float64Array.from(mean),
    };
    return result;
  }
  if (value.kind === 'complex') {
    const { bins, fftSize, hopSamples, matrices } = value;
    if (!Number.isInteger(bins) || !Number.isInteger(fftSize) || !Number.isInteger(hopSamples)) {
      throw bad('bins, fftSize and hopSamples must be integers');
    }
    if ((bins as number) !== (fftSize as number) / 2 + 1) throw bad('bins must be fftSize / 2 + 1');
    if (!Array.isArray(matrices) || matrices.length !== bins) throw bad(`matrices must hold ${bins} matrices`);
    const data = new Float64Array((bins as number) * r * c * 2);
    let k = 0;
    for (const matrix of matrices) {
      if (!Array.isArray(matrix) || matrix.length !== r) throw bad(`each matrix must have ${r} rows`);
      for (const row of matrix) {
        if (!Array.isArray(row) || row.length !== c || !row.every((z) => isNumberArray(z, 2))) {
          throw bad(`each row must hold ${c} [re, im] pairs`);
        }
        for (const [re, im] of row as [number, number][]) {
          data[k++] = re;
          data[k++] = im;
        }
      }
    }
    const result: ComplexUnmixing = {
      kind: 'complex',
      rows: r,
      cols: c,
      bins: bins as number,
      fftSize: fftSize as number,
      hopSamples: hopSamples as number,
      data,
    };
    return result;
  }
  throw bad("kind must be 'real' or 'complex'");
}
