import type { MethodEntry } from '../separate.js';
import { separatePicard } from './picard.js';

/** The ICA separation methods, by name; {@link METHODS} includes them all. */
export const ICA_METHODS: Record<string, MethodEntry> = {
  ica: {
    model: 'instantaneous',
    description:
      'instantaneous ICA, Picard-style preconditioned L-BFGS (extended: speech, noise and tones); the default for x = A s',
    run: separatePicard,
  },
};
