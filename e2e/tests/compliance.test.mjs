// The rulebook at work in a browser: an ATM patrol recorded on a phone in a few taps, the compliance dashboard at
// province and outlet level, a due item traced to its article and records. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

test('an employee records an ATM patrol on a phone in a few taps', async () => {
  const ctx = await chrome.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.guiyuan');
  await page.screenshot({ path: join(shots, '11-phone-todo.png'), fullPage: true });
  // Tap 1: the quick-record entry; the ATM form opens with everything ticked and the time filled in.
  await page.goto(`${app.base}/records/new?kind=atm_patrol`);
  await page.screenshot({ path: join(shots, '12-phone-atm-form.png'), fullPage: true });
  // Tap 2: save.
  await Promise.all([page.waitForURL(/\/records\/\d+/), page.tap('#record-save')]);
  const facts = await page.locator('#record-facts').innerText();
  assert.match(facts, /城关信用社营业部/);
  await page.screenshot({ path: join(shots, '13-phone-atm-saved.png'), fullPage: true });
  await ctx.close();
});

test('the province dashboard shows compliance by unit, by rule and over a year', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'baowei');
  await page.goto(`${app.base}/compliance`);
  await page.waitForSelector('#kpis');
  assert.match(await page.locator('#kpi-pct').innerText(), /%/);
  assert.match(await page.locator('#rules-table').innerText(), /ATM-1/);
  await page.screenshot({ path: join(shots, '14-dashboard-province.png'), fullPage: true });
  // Drill down: overdue items, then the rule's article.
  await page.click('#kpis a:has-text("逾期未完成")');
  await page.waitForSelector('#items-table');
  const rows = await page.locator('#items-table tbody tr').count();
  assert.ok(rows > 0);
  await page.screenshot({ path: join(shots, '15-overdue-items.png'), fullPage: false });
  await page.goto(`${app.base}/rulebook/ATM-1`);
  assert.match(await page.locator('#article').innerText(), /巡查/);
  await page.screenshot({ path: join(shots, '16-rule-article.png'), fullPage: true });
  await page.close();
});

test('an outlet head sees only their outlet on the dashboard', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'dongjie.zhuren');
  await page.goto(`${app.base}/compliance`);
  const text = await page.locator('main').innerText();
  assert.match(text, /东街分社/);
  assert.doesNotMatch(text, /城关信用社营业部/);
  await page.screenshot({ path: join(shots, '17-dashboard-outlet.png'), fullPage: true });
  await page.close();
});

test('the security department keeps the business-day calendar and the roster marks holiday nights from it', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'baowei');
  await page.goto(`${app.base}/calendar?year=2026`);
  const table = await page.locator('#calendar-days').innerText();
  assert.match(table, /2026-02-16/);
  assert.match(table, /春节调休上班/);
  assert.match(await page.locator('#rest-weekdays').innerText(), /周六、周日/);
  // A day from next year becomes a holiday: a new version, shown on the year's page.
  await page.fill('#calendar-form input[name=date]', '2027-12-31');
  await page.selectOption('#calendar-form select[name=kind]', 'holiday');
  await page.fill('#calendar-form input[name=name]', '年终盘点休息');
  await Promise.all([page.waitForNavigation(), page.click('#calendar-form button[type=submit]')]);
  assert.match(page.url(), /year=2027/);
  assert.match(await page.locator('#calendar-days').innerText(), /年终盘点休息/);
  await page.goto(`${app.base}/calendar?year=2026`);
  await page.screenshot({ path: join(shots, '98-calendar.png'), fullPage: true });
  await page.close();
  // The outlet head's roster for February: the Spring Festival nights are holiday duty.
  const head = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(head, app.base, 'chengguan.zhuren');
  await head.goto(`${app.base}/duty?month=2026-02`);
  assert.ok(await head.locator('#roster-table tr.holiday', { hasText: '春节' }).count() >= 9);
  await head.locator('#roster-table tr', { hasText: '02-13' }).first().evaluate((el) => el.scrollIntoView());
  await head.screenshot({ path: join(shots, '99-roster-holidays.png'), fullPage: false });
  await head.close();
});
