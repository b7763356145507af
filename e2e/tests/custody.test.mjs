// Custody in a browser, at desktop and phone sizes: the duty roster refusing two vault keepers on one night, the
// key-and-code custody table with a handover both people confirm, and an escort trip from departure to closing.
// Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

// Submit and wait for the page the server answers with (a redirect or the form again with its error).
const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

test('the duty roster refuses two vault keepers on one night and names the article', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'chengguan.zhuren');
  await page.goto(`${app.base}/duty`);
  await page.waitForSelector('#roster-table');
  await page.screenshot({ path: join(shots, '20-roster.png'), fullPage: false });
  // Put the two vault keepers on the first night.
  const first = page.locator('#roster-table tbody tr').first();
  const keepers = await first.locator('select').first().locator('option').evaluateAll(
    (os) => os.filter((o) => o.textContent.includes('管库员')).map((o) => o.value));
  assert.ok(keepers.length >= 2, 'two vault keepers to choose from');
  await first.locator('select').nth(0).selectOption(keepers[0]);
  await first.locator('select').nth(1).selectOption(keepers[1]);
  await submit(page, () => page.click('#roster-save'));
  const err = await page.locator('#form-error').innerText();
  assert.match(err, /管库员/);
  assert.match(err, /第十八条/);
  await page.screenshot({ path: join(shots, '21-roster-refused.png'), fullPage: false });
  await page.close();
  const ctx = await chrome.newContext(phone);
  const p2 = await ctx.newPage();
  await signIn(p2, app.base, 'chengguan.zhuren');
  await p2.goto(`${app.base}/duty`);
  await p2.screenshot({ path: join(shots, '22-phone-roster.png'), fullPage: false });
  await ctx.close();
});

test('a vault entry on a phone: the key holder signs in, the code holder confirms on the same phone', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.guanku');
  await page.goto(`${app.base}/records/new?kind=vault_entry`);
  await page.waitForSelector('#second-sign-in');
  await page.fill('#text', '营业前出库领取尾箱');
  await page.selectOption('#subkind', 'emergency');
  await page.screenshot({ path: join(shots, '30-phone-vault-entry.png'), fullPage: true });
  // Typing one's own account as the second person is refused.
  await page.fill('#confirm_username', 'chengguan.guanku');
  await page.fill('#confirm_secret', '202612');
  await submit(page, () => page.tap('#record-save'));
  assert.match(await page.locator('#form-error').innerText(), /一个账号不能同时作为两个人确认/);
  await page.fill('#text', '营业前出库领取尾箱');
  // Two-person records are made as they happen, and the test may run at any hour: an emergency entry with the
  // outlet head as the second person is lawful at night too (rule VAULT-5). The form comes back as first shown.
  await page.selectOption('#subkind', 'emergency');
  await page.fill('#confirm_username', 'chengguan.zhuren');
  await page.fill('#confirm_secret', '202612');
  await submit(page, () => page.tap('#record-save'));
  assert.match(page.url(), /\/records\/\d+/);
  await page.screenshot({ path: join(shots, '31-phone-vault-entry-saved.png'), fullPage: true });
  await ctx.close();
});

test('the custody table lists who holds each key and code, and a handover needs both people', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'chengguan.guanku');
  await page.goto(`${app.base}/keys`);
  const table = await page.locator('#custody-table').innerText();
  assert.match(table, /钥匙/);
  assert.match(table, /密码/);
  await page.screenshot({ path: join(shots, '23-custody-table.png'), fullPage: true });
  // Hand the vault key to the outlet head, who holds the vault's code: refused.
  const key = await page.locator('#item_id option').evaluateAll(
    (os) => os.find((o) => o.textContent.includes('库房') && o.textContent.includes('钥匙')).value);
  await page.selectOption('#item_id', key);
  await page.fill('#confirm_username', 'chengguan.zhuren');
  await page.fill('#confirm_secret', '202612');
  await submit(page, () => page.click('#handover-save'));
  assert.match(await page.locator('#form-error').innerText(), /钥匙和密码/);
  // The receiver cannot be the one handing over.
  await page.selectOption('#item_id', key);
  await page.fill('#confirm_username', 'chengguan.guanku');
  await page.fill('#confirm_secret', '202612');
  await submit(page, () => page.click('#handover-save'));
  assert.match(await page.locator('#form-error').innerText(), /一个账号不能同时作为两个人确认/);
  // To the teller, who confirms with her own password: done, and it shows in the handovers.
  await page.selectOption('#item_id', key);
  await page.fill('#confirm_username', 'chengguan.guiyuan');
  await page.fill('#confirm_secret', '202612');
  await submit(page, () => page.click('#handover-save'));
  assert.match(await page.locator('#handovers').innerText(), /库门钥匙/);
  await page.screenshot({ path: join(shots, '24-custody-after-handover.png'), fullPage: true });
  await page.close();
  const ctx = await chrome.newContext(phone);
  const p2 = await ctx.newPage();
  await signIn(p2, app.base, 'chengguan.zhuren');
  await p2.goto(`${app.base}/keys`);
  await p2.screenshot({ path: join(shots, '25-phone-custody.png'), fullPage: false });
  await ctx.close();
});

test('an escort trip runs on a phone: depart, hand boxes over with the outlet, record a traffic stop, close', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'qinghe.yayun');
  await page.goto(`${app.base}/escort`);
  await page.screenshot({ path: join(shots, '26-phone-escort-list.png'), fullPage: false });
  await Promise.all([page.waitForURL(/\/escort\/trips\/\d+/), page.locator('#trips-table a').first().tap()]);
  await submit(page, () => page.tap('#depart'));
  // Closing with boxes outstanding is refused.
  await submit(page, () => page.tap('#close-trip'));
  assert.match(await page.locator('#form-error').innerText(), /尚有款箱未交接/);
  // Each box: the escort is signed in, the teller of the outlet confirms on the same phone.
  for (let i = 0; i < 3; i++) {
    await page.fill('#confirm_username', 'chengguan.guiyuan');
    await page.fill('#confirm_secret', '202612');
    await submit(page, () => page.tap('#box-save'));
  }
  await page.selectOption('#ev_kind', 'police_check');
  await page.fill('#ev_note', '城关路口交警示意停车检查，查验证件属实后放行');
  await page.check('input[name="police_verified"]');
  await submit(page, () => page.tap('#event-form button'));
  await page.screenshot({ path: join(shots, '27-phone-trip-under-way.png'), fullPage: true });
  await submit(page, () => page.tap('#close-trip'));
  const text = await page.locator('main').innerText();
  assert.match(text, /已结束/);
  assert.match(text, /汽车不熄火/);
  await page.screenshot({ path: join(shots, '28-phone-trip-closed.png'), fullPage: true });
  await ctx.close();
  const desk = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(desk, app.base, 'qinghe.baowei');
  await desk.goto(`${app.base}/escort`);
  await Promise.all([desk.waitForURL(/\/escort\/trips\/\d+/), desk.locator('#trips-table a').first().click()]);
  await desk.screenshot({ path: join(shots, '29-trip-desktop.png'), fullPage: true });
  await desk.close();
});
