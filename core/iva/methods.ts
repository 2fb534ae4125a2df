import type { MultichannelSignal } from '../audio/signal.js';
import type { MethodEntry, SeparateOptions, SeparationResult } from '../separate.js';
import { auxIvaSteps, type AuxIvaOptions } from './auxiva.js';
import { ONE_THREAD, runBinPasses, runBinPassesOn, type BinPassMemory, type BinPassSteps } from './binPassPool.js';
import { ilrmaSteps, type IlrmaOptions } from './ilrma.js';
import { fdIca, type FdIcaOptions } from './fdica.js';
import { ngIva, type NgIvaOptions } from './ngiva.js';

/**
 * Run a method written as a generator of passes: on `options.pool` when it has more than
 * one thread, else on the calling thread.
 */
function onPool<O>(
  steps: (mixture: MultichannelSignal, options: O, memory: BinPassMemory) => BinPassSteps<SeparationResult>,
  mixture: MultichannelSignal,
  options: SeparateOptions,
  methodOptions: O,
): SeparationResult | Promise<SeparationResult> {
  const pool = options.pool;
  return pool && pool.threads > 1
    ? runBinPassesOn(steps(mixture, methodOptions, pool), pool)
    : runBinPasses(steps(mixture, methodOptions, ONE_THREAD));
}

/** The IVA separation methods, by name; {@link METHODS} includes them all. */
export const IVA_METHODS: Record<string, MethodEntry> = {
  auxiva: {
    model: 'convolutive',
    description: 'AuxIVA with iterative projection (Ono 2011): fast, stable separation of room recordings',
    threads: true,
    run: (mixture, options) => onPool(auxIvaSteps, mixture, options, { ...(options as AuxIvaOptions), update: 'ip' }),
  },
  iss: {
    model: 'convolutive',
    description: 'AuxIVA with iterative source steering (Scheibler & Ono 2020): no matrix inverses',
    threads: true,
    run: (mixture, options) => onPool(auxIvaSteps, mixture, options, { ...(options as AuxIvaOptions), update: 'iss' }),
  },
  ilrma: {
    model: 'convolutive',
    description: 'ILRMA (Kitamura et al. 2016): IVA with a low-rank NMF source model, best in reverberant rooms',
    threads: true,
    run: (mixture, options) => onPool(ilrmaSteps, mixture, options, options as IlrmaOptions),
  },
  ngiva: { model: 'convolutive', description: 'natural-gradient IVA (Kim et al. 2007) with a core/optim optimizer', run: (mixture, options) => ngIva(mixture, options as NgIvaOptions) }, // prettier-ignore
  fdica: { model: 'convolutive', description: 'frequency-domain ICA with permutation alignment (Sawada et al.): why IVA exists', run: (mixture, options) => fdIca(mixture, options as FdIcaOptions) }, // prettier-ignore
};

/**
 * The method `--method auto` resolves to: the one that separates room recordings best.
 * ILRMA had the best SI-SDR improvement on the standard rooms of bench/iva.ts and the room
 * fixtures (AuxIVA is ~10x faster: `--method auxiva` when time matters more).
 */
export const IVA_AUTO_METHOD: string | undefined = 'ilrma';
