import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The browser for the Swagger UI test. `CHROMIUM_PATH` names one, or is `npm` for the packaged
 * one; otherwise Debian's /usr/bin/chromium when installed, else the Chromium that the
 * @sparticuz/chromium dev dependency ships inside its npm package (Linux x64), so a machine with
 * only Node runs the test too.
 */

const ROOT = join(__dirname, '..', '..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PACKAGE_DIR = join(ROOT, 'node_modules', '@sparticuz', 'chromium');

export type ChromiumChoice = { kind: 'path'; path: string } | { kind: 'npm' };

export interface ChromiumBinary {
  executablePath: string;
  /** The environment to launch it with. */
  env: NodeJS.ProcessEnv;
}

export function chooseChromium(env: NodeJS.ProcessEnv = process.env): ChromiumChoice {
  const given = env.CHROMIUM_PATH;
  if (given === 'npm') return { kind: 'npm' };
  if (given) return { kind: 'path', path: given };
  return existsSync(SYSTEM_CHROMIUM) ? { kind: 'path', path: SYSTEM_CHROMIUM } : { kind: 'npm' };
}

export function describeChoice(choice: ChromiumChoice): string {
  return choice.kind === 'npm' ? 'the Chromium of @sparticuz/chromium' : choice.path;
}

export function resolveChromium(choice: ChromiumChoice): ChromiumBinary {
  if (choice.kind === 'path') {
    if (!existsSync(choice.path)) {
      throw new Error(
        `No browser at CHROMIUM_PATH=${choice.path}: unset it to use /usr/bin/chromium or the ` +
          'packaged Chromium, or set CHROMIUM_PATH=npm for the packaged one.',
      );
    }
    return { executablePath: choice.path, env: process.env };
  }
  const folder = unpackPackagedChromium();
  return {
    executablePath: join(folder, 'chromium'),
    env: {
      ...process.env,
      // The package brings NSS and its fonts; a bare Node image has neither.
      LD_LIBRARY_PATH: [join(folder, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH]
        .filter(Boolean)
        .join(':'),
      FONTCONFIG_FILE: fontConfigFor(folder),
    },
  };
}

/**
 * The package's own fonts.conf names the folders of an AWS Lambda (/opt/fonts, /tmp/fonts), not
 * where it was unpacked: with it, Chromium finds no font, every text has zero size and Playwright
 * sees the page as hidden. This one names the unpacked fonts and the machine's, if it has any.
 */
function fontConfigFor(folder: string): string {
  const file = join(folder, 'swiftride-fonts.conf');
  if (!existsSync(file)) {
    const staging = `${file}.${process.pid}`;
    writeFileSync(
      staging,
      `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>${join(folder, 'fonts', 'fonts')}</dir>
  <dir>/usr/share/fonts</dir>
  <cachedir>${join(folder, 'fonts-cache')}</cachedir>
</fontconfig>
`,
    );
    renameSync(staging, file);
  }
  return file;
}

/**
 * Decompresses the packaged browser, its libraries and fonts once per package version into the
 * temp folder (about 5 s; no network). The package writes into `os.tmpdir()`, which is pointed at a
 * staging folder that is renamed into place, so concurrent runs never see a half-written binary.
 */
function unpackPackagedChromium(): string {
  if (!existsSync(join(PACKAGE_DIR, 'package.json'))) {
    throw new Error('@sparticuz/chromium is not installed: run `npm install`.');
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `The packaged Chromium is for Linux x64 (this is ${process.platform} ${process.arch}): ` +
        'set CHROMIUM_PATH to a Chromium or Chrome.',
    );
  }
  const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  const folder = join(tmpdir(), `swiftride-chromium-${version}`);
  if (existsSync(join(folder, 'chromium'))) return folder;

  const staging = mkdtempSync(`${folder}-`);
  try {
    // The package is an ES module, which Jest's CommonJS runtime cannot load: unpack in a child.
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import chromium, { inflate } from '@sparticuz/chromium';
         const bin = ${JSON.stringify(join(PACKAGE_DIR, 'bin'))};
         await chromium.executablePath(bin);
         await inflate(bin + '/al2023.tar.br');`,
      ],
      { cwd: ROOT, env: { ...process.env, TMPDIR: staging }, stdio: 'pipe' },
    );
    renameSync(staging, folder);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another run renamed its copy into place first.
    if (!existsSync(join(folder, 'chromium'))) throw error;
  }
  return folder;
}
