import type { MethodEntry } from '../separate.js';
import { separateFastica } from './fastica.js';
import { separateInfomax } from './infomax.js';
import { separatePicard } from './picard.js';

/** The ICA separation methods, by name; {@link METHODS} includes them all. */
export const ICA_METHODS: Record<string, MethodEntry> = {
  ica: {
    model: 'instantaneous',
    description:
      'instantaneous ICA, Picard-style preconditioned L-BFGS (extended: speech, noise and tones); the default for x = A s',
    run: separatePicard,
  },
  infomax: {
    model: 'instantaneous',
    description: 'natural-gradient (extended) infomax, batch or mini-batch, with annealing and restarts',
    run: separateInfomax,
  },
  fastica: {
    model: 'instantaneous',
    description: 'symmetric FastICA with log cosh, the scikit-learn baseline',
    run: separateFastica,
  },
};
