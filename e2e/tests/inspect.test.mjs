// An inspection loop on a phone: inspect an outlet, fail two items, see two hazards and a printable notice, the
// outlet records its rectification, the inspector passes one and sends the other back; the register shows the
// demo's overdue hazard escalated. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

test('inspect, fail two items, notices, rectify, verify one and send one back', async () => {
  const ctx = await chrome.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, app.base, 'qinghe.baowei');
  await page.goto(`${app.base}/inspections`);
  const target = await page.locator('#target_unit_id option').evaluateAll(
    (os) => os.find((o) => o.textContent.trim() === '城关信用社营业部').value);
  await page.selectOption('#target_unit_id', target);
  await page.selectOption('#position', 'security_officer');
  await submit(page, () => page.tap('#start-save'));
  assert.match(page.url(), /\/inspections\/\d+$/);
  await page.check('input[name="o_R5"][value="fail"]');
  await page.fill('input[name="n_R5"]', '当晚两名管库员同班值守');
  await page.check('input[name="o_F1"][value="fail"]');
  await page.fill('input[name="d_F1"]', '3');
  await page.fill('input[name="n_F1"]', '振动报警器未设防');
  await page.locator('#item-R5').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, '40-phone-inspection-items.png'), fullPage: false });
  await submit(page, () => page.tap('#sign'));
  assert.equal(await page.locator('#score').innerText(), '89.0');
  assert.equal(await page.locator('#raised-hazards tbody tr').count(), 2);
  // The outlet head countersigns on the inspector's phone.
  await page.fill('#confirm_username', 'chengguan.zhuren');
  await page.fill('#confirm_secret', '202612');
  await submit(page, () => page.tap('#countersign'));
  await page.screenshot({ path: join(shots, '41-phone-inspection-signed.png'), fullPage: true });
  const hazards = await page.locator('#raised-hazards a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(hazards.length, 2);
  // The printable notice.
  await page.goto(`${app.base}${hazards[0]}/notice`);
  assert.match(await page.locator('#notice').innerText(), /安全隐患整改通知书[\s\S]*城关信用社营业部/);
  await page.screenshot({ path: join(shots, '42-phone-notice.png'), fullPage: true });
  // The outlet reports both rectified.
  const outlet = await chrome.newContext(phone);
  const op = await outlet.newPage();
  await signIn(op, app.base, 'chengguan.zhuren');
  for (const h of hazards) {
    await op.goto(`${app.base}${h}`);
    await op.fill('#r_note', '已调整排班，报警设备已设防并建立检查记录');
    await submit(op, () => op.tap('#rectify-save'));
    assert.match(await op.locator('#hazard-status').innerText(), /已整改待验证/);
  }
  await op.screenshot({ path: join(shots, '43-phone-rectified.png'), fullPage: true });
  await outlet.close();
  // The inspector passes the first and sends the second back with the reason.
  await page.goto(`${app.base}${hazards[0]}`);
  await page.fill('#v_note', '复查合格');
  await submit(page, () => page.tap('#verify-pass'));
  assert.match(await page.locator('#hazard-status').innerText(), /已销号/);
  await page.goto(`${app.base}${hazards[1]}`);
  await page.fill('#v_note', '报警器仍未联网，重新整改');
  await submit(page, () => page.tap('#verify-reject'));
  assert.match(await page.locator('#hazard-status').innerText(), /待整改/);
  assert.match(await page.locator('#hazard-events').innerText(), /退回整改/);
  await page.screenshot({ path: join(shots, '44-phone-sent-back.png'), fullPage: true });
  // The register: the demo's sent-back hazard from two months ago is overdue and escalated.
  await page.goto(`${app.base}/hazards?status=open`);
  const register = await page.locator('#hazards-table').innerText();
  assert.match(register, /逾期/);
  assert.match(register, /已报理事会|已报分管领导/);
  await page.screenshot({ path: join(shots, '45-phone-register.png'), fullPage: true });
  await ctx.close();
});

test('the leadership report and the register at desktop size', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'qinghe.baowei');
  await page.goto(`${app.base}/hazards`);
  await page.screenshot({ path: join(shots, '46-register-desktop.png'), fullPage: true });
  await page.goto(`${app.base}/inspections/report`);
  assert.match(await page.locator('#report-kpis').innerText(), /检查次数/);
  await page.screenshot({ path: join(shots, '47-report.png'), fullPage: true });
  await page.close();
});
