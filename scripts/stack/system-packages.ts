// Debian packages the project needs beyond npm (a browser for the browser
// tests). Installed with apt-get when we are root on Debian; otherwise the
// error says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = (): string => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function aptInstall(packages: string[], log: (m: string) => void): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) return false;
  log(`installing Debian packages: ${packages.join(' ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return false;
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], {
    stdio: 'inherit',
    env,
  });
  return install.status === 0;
}

/** Makes sure a Chromium for Playwright exists (Playwright cannot download its own browser here). */
export async function ensureChromium(log: (m: string) => void): Promise<string> {
  const browser = chromiumPath();
  if (existsSync(browser)) return browser;
  if (!process.env.CHROMIUM_PATH && aptInstall(['chromium'], log) && existsSync(browser))
    return browser;
  throw new Error(
    `Chromium not found at ${browser}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
  );
}
