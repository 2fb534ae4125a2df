/**
 * `npm run bench [-- NAME...]`: speed, memory and quality benchmarks. Each benchmark is a
 * module exporting `run()`; with names, only those run. Targets are printed beside the
 * figures; benchmarks report, they do not fail.
 */
import { run as wav } from './wav.js';

const BENCHMARKS: Record<string, () => Promise<void> | void> = {
  wav,
};

const selected = process.argv.slice(2);
for (const name of selected) {
  if (!(name in BENCHMARKS)) {
    console.error(`unknown benchmark '${name}'; choose from: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
}
console.log(`# unmix benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
for (const [name, bench] of Object.entries(BENCHMARKS)) {
  if (selected.length === 0 || selected.includes(name)) await bench();
}
