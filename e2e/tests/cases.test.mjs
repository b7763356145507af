// Cases in a browser: an incident entered at the counter on a phone, acknowledged and reported upward by the county,
// the investigation prefilled from the records, and the determination page at desktop with its printable
// 责任认定书. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

// An 8×8 red PNG, as a phone's photo would arrive.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4ISeHFTEMLQkAkL9BAbKfPiIAAAAASUVORK5CYII=',
  'base64',
);
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

test('an outlet head records an incident on a phone and the county reports it upward', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.zhuren');
  await page.goto(`${app.base}/cases/new`);
  await page.selectOption('#c_kind', 'attempted_robbery');
  await page.selectOption('#c_place', 'outlet');
  await page.fill('#c_loss', '0');
  await page.fill('#c_desc', '一名男子在柜台前出示疑似爆炸物索要现金，员工按预案报警，民警五分钟内到场将其控制。\n现场无人员受伤。');
  await page.setInputFiles('#c_photos', { name: '现场.png', mimeType: 'image/png', buffer: PNG });
  await page.screenshot({ path: join(shots, '60-phone-case-form.png'), fullPage: true });
  await submit(page, () => page.locator('#case-save').tap());
  assert.match(page.url(), /\/cases\/\d+/);
  const reports = await page.locator('#case-reports').innerText();
  assert.match(reports, /城关信用社/);
  assert.match(reports, /云岭省农村信用社联合社/);
  // The photo is on the timeline, and it loads.
  const img = page.locator('#case-events img').first();
  await img.scrollIntoViewIfNeeded();
  // A lazy image starts loading once scrolled into view: wait for its load (or error) rather than race it.
  const shown = await img.evaluate((el) =>
    el.complete
      ? el.naturalWidth > 0
      : new Promise((done) => {
          el.addEventListener('load', () => done(el.naturalWidth > 0), { once: true });
          el.addEventListener('error', () => done(false), { once: true });
        }),
  );
  assert.ok(shown, 'the scene photo is shown');
  assert.match(await page.locator('#case-facts').innerText(), /现场无人员受伤/);
  await page.screenshot({ path: join(shots, '61-phone-case-reported.png'), fullPage: true });
  const url = page.url();
  await ctx.close();

  // The county's security department acknowledges for the cooperative and then for the county.
  const desk = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(desk, app.base, 'qinghe.baowei');
  await desk.goto(url);
  await submit(desk, () => desk.click('#forward'));
  await submit(desk, () => desk.click('#forward'));
  const timeline = await desk.locator('#case-events').innerText();
  assert.match(timeline, /上报清河县农村信用合作联社/);
  // A note added later joins the timeline.
  await desk.fill('#n_note', '派出所已受案，回执待补');
  await submit(desk, () => desk.click('#note-save'));
  assert.match(await desk.locator('#case-events').innerText(), /派出所已受案/);
  assert.equal(await desk.locator('#forward').count(), 0, 'the regional centre is the province\'s to acknowledge');
  await desk.close();
});

test('the union decides a determination proposed from the records', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'qinghe.baowei');
  await page.goto(`${app.base}/cases`);
  await page.screenshot({ path: join(shots, '62-case-register.png'), fullPage: true });
  // Find the theft awaiting the decision.
  await page.goto(`${app.base}/cases?status=proposed`);
  await submit(page, () => page.locator('#cases-table tbody a').first().click());
  const sections = await page.locator('#section-facilities').innerText();
  assert.match(sections, /案发时/);
  const det = await page.locator('#determination').innerText();
  assert.match(det, /第十一条㈠/);
  assert.match(det, /稽核审计中心/, 'a theft also holds the regional centre (INC-5)');
  await page.screenshot({ path: join(shots, '63-case-determination.png'), fullPage: true });
  // A change without its reason is refused, in Chinese.
  const first = page.locator('#determination tbody tr').first();
  await first.locator('select').selectOption('secondary');
  await submit(page, () => page.click('#decide'));
  assert.match(await page.locator('#form-error').innerText(), /须写明理由/);
  await submit(page, () => page.click('#decide'));
  assert.match(await page.locator('#case-status').innerText(), /已认定/);
  assert.match(await page.locator('#case-violations').innerText(), /案件责任认定/);
  await page.screenshot({ path: join(shots, '64-case-decided.png'), fullPage: true });
  const id = page.url().match(/\/cases\/(\d+)/)[1];
  await page.goto(`${app.base}/cases/${id}/determination`);
  assert.match(await page.locator('#determination-notice').innerText(), /案件责任认定书/);
  await page.screenshot({ path: join(shots, '65-determination-print.png'), fullPage: true });
  await page.goto(`${app.base}/penalties`);
  assert.match(await page.locator('#penalties-table').innerText(), /第五篇 第10题/);
  await page.screenshot({ path: join(shots, '66-penalty-register.png'), fullPage: true });
  await page.close();
});
