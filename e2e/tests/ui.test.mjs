// The key pages in a real browser: sign in, browse the tree, add a staff member and find them, on a desktop and a
// phone, in Chinese and English. Screenshots are kept in e2e/screenshots/ for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

test('demo prints its sign-ins', () => {
  assert.match(app.output(), /chengguan\.zhuren/);
  assert.match(app.output(), /anbao-demo/);
});

test('a security officer signs in, browses the tree, adds a staff member and finds them', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 860 } });
  await signIn(page, app.base, 'qinghe.baowei');
  assert.equal(await page.locator('#todo h2').innerText().then((t) => t.includes('我的待办')), true);
  await page.screenshot({ path: join(shots, '01-home.png'), fullPage: true });

  await page.click('nav.sidenav >> text=组织机构');
  await page.waitForSelector('#org-tree');
  await page.screenshot({ path: join(shots, '02-org-tree.png'), fullPage: true });
  await page.click('#org-tree >> text=城关信用社营业部');
  await page.waitForSelector('h1:has-text("城关信用社营业部")');
  await page.screenshot({ path: join(shots, '03-unit.png'), fullPage: true });

  await page.click('text=新增员工');
  await page.fill('#name', '司马浩然');
  await page.fill('#staff_no', 'QH-E2E1');
  await page.check('input[name=positions][value=teller]');
  await page.check('input[name=positions][value=atm_admin]');
  await page.selectOption('#card_grade', 'cash');
  await page.fill('#phone', '13712345678');
  await page.screenshot({ path: join(shots, '04-staff-form.png'), fullPage: true });
  await Promise.all([page.waitForURL(/\/staff\/\d+/), page.click('#staff-save')]);
  assert.match(await page.locator('#staff-facts').innerText(), /QH-E2E1/);

  await page.goto(`${app.base}/staff`);
  await page.fill('#q', '司马');
  await Promise.all([page.waitForURL(/q=/), page.click('#staff-filter button[type=submit]')]);
  const rows = await page.locator('#staff-table tbody tr').allInnerTexts();
  assert.equal(rows.length, 1);
  assert.match(rows[0], /司马浩然/);
  await page.screenshot({ path: join(shots, '05-staff-search.png'), fullPage: true });
  await page.close();
});

test('bad input shows a Chinese message and keeps what was typed', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 860 } });
  await signIn(page, app.base, 'admin');
  await page.goto(`${app.base}/staff/new`);
  await page.fill('#name', '赵六');
  await page.fill('#staff_no', 'bad number');
  await page.click('#staff-save');
  await page.waitForSelector('#form-error');
  assert.match(await page.locator('#form-error').innerText(), /请选择所属单位/);
  assert.equal(await page.inputValue('#name'), '赵六');
  await page.screenshot({ path: join(shots, '06-form-error.png'), fullPage: true });
  await page.close();
});

test('an outlet head on a phone sees the to-do list and only their outlet', async () => {
  const ctx = await chrome.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.zhuren');
  await page.screenshot({ path: join(shots, '07-phone-home.png'), fullPage: true });
  await page.click('label.burger');
  await page.screenshot({ path: join(shots, '08-phone-nav.png') });
  await page.goto(`${app.base}/org`);
  const tree = await page.locator('#org-tree').innerText();
  assert.match(tree, /城关信用社营业部/);
  assert.doesNotMatch(tree, /东街分社/);
  await page.screenshot({ path: join(shots, '09-phone-org.png'), fullPage: true });
  await ctx.close();
});

test('the English switch translates the shell', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 860 } });
  await signIn(page, app.base, 'shenji');
  await page.click('a.lang');
  await page.waitForSelector('text=My to-do');
  await page.goto(`${app.base}/audit?verify=1`);
  assert.match(await page.locator('#verify-result').innerText(), /Verified/);
  await page.screenshot({ path: join(shots, '10-audit-en.png'), fullPage: true });
  await page.close();
});
