import type { MethodEntry, SeparateOptions } from '../separate.js';
import { auxIva, auxIvaOn, type AuxIvaOptions } from './auxiva.js';
import type { BinPassPool } from './binPassPool.js';
import { ilrma, ilrmaOn, type IlrmaOptions } from './ilrma.js';
import { fdIca, type FdIcaOptions } from './fdica.js';
import { ngIva, type NgIvaOptions } from './ngiva.js';

/** The pool to run on, when it has more than one thread. */
function poolOf(options: SeparateOptions): BinPassPool | undefined {
  return options.pool && options.pool.threads > 1 ? options.pool : undefined;
}

/** The IVA separation methods, by name; {@link METHODS} includes them all. */
export const IVA_METHODS: Record<string, MethodEntry> = {
  auxiva: {
    model: 'convolutive',
    description: 'AuxIVA with iterative projection (Ono 2011): fast, stable separation of room recordings',
    threads: true,
    run: (mixture, options) => {
      const pool = poolOf(options);
      const ip: AuxIvaOptions = { ...(options as AuxIvaOptions), update: 'ip' };
      return pool ? auxIvaOn(pool, mixture, ip) : auxIva(mixture, ip);
    },
  },
  iss: {
    model: 'convolutive',
    description: 'AuxIVA with iterative source steering (Scheibler & Ono 2020): no matrix inverses',
    threads: true,
    run: (mixture, options) => {
      const pool = poolOf(options);
      const iss: AuxIvaOptions = { ...(options as AuxIvaOptions), update: 'iss' };
      return pool ? auxIvaOn(pool, mixture, iss) : auxIva(mixture, iss);
    },
  },
  ilrma: {
    model: 'convolutive',
    description: 'ILRMA (Kitamura et al. 2016): IVA with a low-rank NMF source model, best in reverberant rooms',
    threads: true,
    run: (mixture, options) => {
      const pool = poolOf(options);
      return pool ? ilrmaOn(pool, mixture, options as IlrmaOptions) : ilrma(mixture, options as IlrmaOptions);
    },
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
