/**
 * `npm run bench [-- NAME...]`: speed, memory and quality benchmarks. Each benchmark is a
 * module `bench/NAME.ts` exporting `run()`; with names, only those run. Targets are
 * printed beside the figures; benchmarks report, they do not fail.
 */
const NAMES = [
  'wav',
  'ica',
  'roomsim',
  'online',
  'iva',
  'eval',
  'ngiva',
  'hard',
  'threads',
  // one line per benchmark module
];

const selected = process.argv.slice(2);
for (const name of selected) {
  if (!NAMES.includes(name)) {
    console.error(`unknown benchmark '${name}'; choose from: ${NAMES.join(', ')}`);
    process.exit(2);
  }
}
console.log(`# unmix benchmarks (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`);
for (const name of NAMES) {
  if (selected.length > 0 && !selected.includes(name)) continue;
  const module = (await import(`./${name}.js`)) as { run: () => Promise<void> | void };
  await module.run();
}
