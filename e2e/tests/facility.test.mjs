// The facilities ledger in a browser: the province's gap statistics, an outlet's ledger with a fault reported on a
// phone, the project board and an Excel import refused with its bad rows named. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

test('the province sees what is missing where, in the form the regulations report it', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'baowei');
  await page.goto(`${app.base}/facilities`);
  const lines = await page.locator('#gap-lines').innerText();
  assert.match(lines, /个营业网点未达标：缺防弹玻璃/);
  assert.match(lines, /尚未验收，不得开业/);
  await page.screenshot({ path: join(shots, '50-facility-gaps.png'), fullPage: false });
  await page.goto(`${app.base}/facilities/work`);
  assert.match(await page.locator('#projects').innerText(), /已安装待验收/);
  await page.screenshot({ path: join(shots, '51-facility-work.png'), fullPage: true });
  await page.goto(`${app.base}/facilities/report`);
  await page.screenshot({ path: join(shots, '52-facility-report.png'), fullPage: true });
  await page.close();
});

test('an outlet head reports a fault on a phone', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.zhuren');
  await page.goto(`${app.base}/facilities`);
  await submit(page, () => page.locator('#places a').first().tap());
  await page.screenshot({ path: join(shots, '53-phone-ledger.png'), fullPage: true });
  const row = page.locator('#items tbody tr', { hasText: '110联网报警装置' }).first();
  await row.locator('summary').tap();
  await row.locator('input[name="description"]').fill('报警主机无法联网');
  await submit(page, () => row.locator('form[action$="/fault"] button').tap());
  assert.match(await page.locator('#items').innerText(), /故障/);
  await ctx.close();
});

test('an Excel ledger with a bad row is refused and the row is named', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'baowei');
  await page.goto(`${app.base}/facilities/import`);
  // Not a workbook at all: a clear refusal, nothing imported.
  const dir = mkdtempSync(join(tmpdir(), 'anbao-import-'));
  const bogus = join(dir, 'ledger.xlsx');
  writeFileSync(bogus, 'this is not a workbook');
  await page.setInputFiles('#file', bogus);
  await submit(page, () => page.click('#import-save'));
  assert.match(await page.locator('#form-error').innerText(), /无法读取该Excel文件/);
  await page.screenshot({ path: join(shots, '54-import-refused.png'), fullPage: true });
  await page.close();
});
