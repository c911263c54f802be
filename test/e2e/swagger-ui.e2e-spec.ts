/**
 * Swagger UI in a real headless Chromium: authorise with a token from login, then "Try it out".
 *
 * @seconds 8
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { createRider, uniqueUsername, type Account } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { chooseChromium, describeChoice, resolveChromium } from '../support/chromium';

/** CHROMIUM_PATH, else Debian's package, else the one an npm dev dependency ships (support/chromium). */
const CHROMIUM = chooseChromium();
/** Flags this machine needs: no sandbox as root, no GPU, nothing fetched in the background. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const UI_TIMEOUT = 20_000;

jest.setTimeout(90_000);

let t: TestApp;
let browser: Browser;
let rider: Account;

beforeAll(async () => {
  const chromiumBinary = resolveChromium(CHROMIUM);
  t = await createTestApp();
  rider = await createRider(t, uniqueUsername('swagger'));
  browser = await chromium.launch({ ...chromiumBinary, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function authorise(page: Page, token: string): Promise<void> {
  await page.locator('.scheme-container .authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input[type=text]').fill(token);
  await dialog.locator('.auth-btn-wrapper .authorize').click();
  await dialog.locator('.auth-btn-wrapper .btn-done').click();
  await dialog.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
}

async function tryItOut(page: Page, method: 'get', path: string): Promise<void> {
  const operation = page.locator(`.opblock-${method}`, {
    has: page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path}$`) }),
  });
  await operation.locator(`.opblock-summary-${method}`).click();
  await operation.locator('.try-out__btn').click();
  await operation.locator('.execute').click();
}

describe(`Swagger UI at /docs, in ${describeChoice(CHROMIUM)}`, () => {
  it('runs GET /api/auth/me with a token from login and shows 200 and the caller', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    try {
      const docs = await page.goto(`${t.baseUrl}/docs`);
      expect(docs?.status()).toBe(200);
      await page.locator('.opblock-summary-path').first().waitFor();

      await authorise(page, rider.accessToken);
      await tryItOut(page, 'get', '/api/auth/me');

      const live = page.locator('.live-responses-table .response').first();
      await live.waitFor();
      expect((await live.locator('.response-col_status').innerText()).trim()).toBe('200');
      const body = await live.locator('.response-col_description .microlight').first().innerText();
      expect(JSON.parse(body)).toMatchObject({
        id: rider.id,
        username: rider.username,
        roleId: 1,
        profile: null,
      });
    } finally {
      await page.close();
    }
  });
});
