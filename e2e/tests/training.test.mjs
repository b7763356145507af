// Training and emergency plans in a browser: a teller sits the county's exam on a phone; the fire plan is opened
// once, then with the server gone and the network cut it still opens from the service worker and its steps are
// ticked with their times; the county's department reads the results per unit and question, and who has not read
// a warning bulletin. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

test('a teller sits the exam on a phone and the objective answers are marked on hand-in', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'chengguan.guiyuan');
  await page.goto(`${app.base}/exams`);
  await submit(page, () => page.locator('#papers a', { hasText: '临柜人员安全保卫知识考试' }).first().tap());
  await submit(page, () => page.locator('#start').tap());
  assert.match(page.url(), /\/exams\/sittings\/\d+$/);
  assert.match(await page.locator('#countdown').innerText(), /^\d+:\d\d$/);
  const questions = await page.locator('.question').count();
  assert.equal(questions, 16, 'single 5, multiple 3, true/false 4, fill 2, short 2');
  // Answer every question: the first option, two boxes, a word, a sentence.
  for (let i = 0; i < questions; i++) {
    const q = page.locator('.question').nth(i);
    if (await q.locator('input[type=radio]').count()) await q.locator('input[type=radio]').first().check();
    const boxes = q.locator('input[type=checkbox]');
    if (await boxes.count()) { await boxes.nth(0).check(); await boxes.nth(1).check(); }
    if (await q.locator('input[name^=a]:not([type])').count()) await q.locator('input[name^=a]:not([type])').fill('双人');
    if (await q.locator('textarea').count()) await q.locator('textarea').fill('双人会同，先记账后加钞，全程录像监控。');
  }
  await page.screenshot({ path: join(shots, '90-phone-exam-sitting.png'), fullPage: false });
  await submit(page, () => page.locator('#hand-in').tap());
  assert.match(await page.locator('#sitting-status').innerText(), /待阅卷/);
  assert.ok(await page.locator('text=参考答案').count() > 0, 'the keys are shown once handed in');
  await page.screenshot({ path: join(shots, '91-phone-exam-handed-in.png'), fullPage: false });
  await ctx.close();
});

test("the county's security department reads the results and who has not read a bulletin", async () => {
  const desk = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(desk, app.base, 'qinghe.baowei');
  await desk.goto(`${app.base}/exams`);
  await submit(desk, () => desk.locator('#papers a', { hasText: '临柜人员安全保卫知识考试' }).first().click());
  assert.match(await desk.locator('#by-unit').innerText(), /城关信用社营业部/);
  assert.ok(await desk.locator('#by-person tbody tr').count() >= 2);
  assert.ok(await desk.locator('#by-question tbody tr').count() > 5);
  await desk.screenshot({ path: join(shots, '92-exam-results.png'), fullPage: true });
  // Mark a sitting waiting for its marker.
  const mark = desk.locator('#by-person a', { hasText: '阅卷' }).first();
  assert.ok(await mark.count(), 'a sitting waits for its marker');
  await submit(desk, () => mark.click());
  for (const input of await desk.locator('#marking input[type=number]').all()) await input.fill('6');
  await desk.screenshot({ path: join(shots, '93-exam-marking.png'), fullPage: true });
  await submit(desk, () => desk.locator('#save-marks').click());
  assert.match(desk.url(), /\/exams\/papers\/\d+/);
  await desk.goto(`${app.base}/warnings`);
  await submit(desk, () => desk.locator('#issued a', { hasText: '运钞途中持枪抢劫' }).first().click());
  const unread = Number(await desk.locator('#unread-total').innerText());
  assert.ok(unread > 0, 'some have not read it');
  assert.equal(await desk.locator('#unread tbody tr').count(), Math.min(unread, 500));
  await desk.screenshot({ path: join(shots, '94-warning-unread.png'), fullPage: true });
  await desk.goto(`${app.base}/training/hours`);
  assert.match(await desk.locator('#target').innerText(), /10/);
  await desk.screenshot({ path: join(shots, '95-training-hours.png'), fullPage: false });
  await desk.close();
});

test('the fire plan opens from the service worker with the server gone and is ticked offline', async () => {
  // Its own demo: this test stops the server.
  const own = await startDemo();
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  try {
    await signIn(page, own.base, 'chengguan.guiyuan');
    await page.goto(`${own.base}/plans`);
    await page.waitForSelector('html[data-offline-ready="1"]', { timeout: 20000 });
    await submit(page, () => page.locator('#plan-fire_business_hours').tap());
    assert.match(await page.locator('h1').innerText(), /营业期间发生火灾/);
    assert.ok(await page.locator('a[href="tel:119"]').count() > 0);
    await page.screenshot({ path: join(shots, '96-phone-fire-plan.png'), fullPage: true });
    // The network is gone: the server stops and the phone is offline.
    own.child.kill();
    await new Promise((r) => setTimeout(r, 500));
    await ctx.setOffline(true);
    await page.reload();
    assert.match(await page.locator('h1').innerText(), /营业期间发生火灾/);
    await page.goto(`${own.base}/plans`);
    await submit(page, () => page.locator('#plan-fire_business_hours').tap());
    const boxes = page.locator('#steps input[type=checkbox]');
    await boxes.nth(0).tap();
    await boxes.nth(1).tap();
    assert.match(await page.locator('[data-time="1"]').innerText(), /✓ \d\d:\d\d:\d\d/);
    assert.match(await page.locator('[data-time="2"]').innerText(), /✓ \d\d:\d\d:\d\d/);
    // The ticks are kept on the phone across a reload.
    await page.reload();
    assert.match(await page.locator('[data-time="2"]').innerText(), /✓/);
    assert.equal(await page.locator('[data-time="3"]').innerText(), '');
    // Saving while offline keeps them and says so.
    await page.locator('#save-run').tap();
    assert.match(await page.locator('#offline-state').innerText(), /离线/);
    await page.screenshot({ path: join(shots, '97-phone-fire-plan-offline.png'), fullPage: true });
  } finally {
    await ctx.close();
    own.child.kill();
  }
});
