// Responsibility letters in a browser: a teller finds their unsigned letter on the to-do list and signs it on a
// phone with their PIN; the county's security department sees who has not signed, unit by unit, at desktop; the
// printable letter. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

test('a teller signs their responsibility letter on a phone with their PIN', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.guiyuan');
  const todo = page.locator('a', { hasText: /签订\d{4}年度安全目标责任书/ }).first();
  assert.ok(await todo.count(), 'the unsigned letter is on the to-do list');
  await submit(page, () => todo.tap());
  assert.match(page.url(), /\/letters\/\d+$/);
  assert.match(await page.locator('#letter-status').innerText(), /未签订/);
  assert.match(await page.locator('#letter').innerText(), /城关信用社营业部/);
  // Without the pledge ticked the signature is refused, and nothing changes.
  await page.fill('#secret', '202612');
  await submit(page, () => page.locator('#sign-btn').tap());
  assert.match(await page.locator('#form-error').innerText(), /承诺/);
  await page.locator('#agree').tap();
  await page.fill('#secret', '202612');
  await page.screenshot({ path: join(shots, '70-phone-letter-sign.png'), fullPage: true });
  await submit(page, () => page.locator('#sign-btn').tap());
  assert.match(await page.locator('#letter-status').innerText(), /已签订/);
  assert.equal(await page.locator('#sign').count(), 0, 'a signed letter offers no second signature');
  await page.screenshot({ path: join(shots, '71-phone-letter-signed.png'), fullPage: true });
  await ctx.close();
});

test("the county's security department sees who has not signed, unit by unit", async () => {
  const desk = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(desk, app.base, 'qinghe.baowei');
  await desk.goto(`${app.base}/letters`);
  const letters = Number(await desk.locator('#kpi-letters').innerText());
  const signed = Number(await desk.locator('#kpi-signed').innerText());
  const unsigned = Number(await desk.locator('#kpi-unsigned').innerText());
  assert.ok(letters > 100, `the county's letters: ${letters}`);
  assert.equal(signed + unsigned, letters);
  assert.ok(unsigned > 0, 'a few have not signed');
  const rows = await desk.locator('#unsigned tbody tr').count();
  assert.equal(rows, Math.min(unsigned, 500));
  assert.match(await desk.locator('#tallies').innerText(), /城关信用社/);
  await desk.screenshot({ path: join(shots, '72-county-unsigned.png'), fullPage: true });
  // Down one level: a cooperative's outlets.
  await submit(desk, () => desk.locator('#tallies a', { hasText: '城关信用社' }).first().click());
  assert.match(await desk.locator('h1').innerText(), /城关信用社/);
  // The printable letter of someone who has not signed.
  await submit(desk, () => desk.locator('#unsigned a').first().click());
  await desk.goto(`${desk.url()}/print`);
  assert.match(await desk.locator('#letter-print').innerText(), /责任书/);
  await desk.screenshot({ path: join(shots, '73-letter-print.png'), fullPage: true });
  await desk.close();
});
