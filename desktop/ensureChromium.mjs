// `pretest`: the browser tests drive Debian's Chromium (/usr/bin/chromium) with
// playwright-core. Install it with apt-get when it is missing (CI runs as root on a clean
// machine); otherwise say how.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.error(
      `${CHROMIUM} is missing: install Debian's chromium package (sudo apt-get install -y chromium) for the desktop browser tests.`,
    );
    process.exit(1);
  }
  console.error(`${CHROMIUM} is missing: installing Debian's chromium for the desktop browser tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (run.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed (exit ${run.status}); install chromium by hand.`);
      process.exit(1);
    }
  }
}
