// The quarterly assessment in a browser: the province's ranking of its counties and centres with the one-vote veto
// shown, a county's drill-down to every point lost, and the year's result. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

const submit = (page, act) => Promise.all([page.waitForNavigation(), act()]);

test("the province ranks its units by quarter, and 清河's attempted robbery vetoes it", async () => {
  const desk = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(desk, app.base, 'baowei');
  // The demo's attempted robbery at 东街分社 happened 150 days ago (Asia/Shanghai dates are close enough here).
  const then = new Date(Date.now() - 150 * 86400000);
  const year = then.getFullYear();
  const quarter = Math.floor(then.getMonth() / 3) + 1;
  await desk.goto(`${app.base}/assessment?year=${year}&quarter=${quarter}`);
  const rows = desk.locator('#ranking tbody tr');
  assert.equal(await rows.count(), 5, 'two regional centres and three county unions');
  const vetoed = desk.locator('#ranking tr.vetoed');
  // Only the county with the case: the veto's levels (outlet, cooperative, county) leave its regional centre out.
  assert.equal(await vetoed.count(), 1);
  assert.match(await vetoed.innerText(), /清河县农村信用合作联社/);
  assert.match(await desk.locator('#ranking').innerText(), /否决/);
  await desk.screenshot({ path: join(shots, '80-province-ranking.png'), fullPage: true });
  await submit(desk, () => desk.locator('#ranking a', { hasText: '清河县农村信用合作联社' }).click());
  assert.match(await desk.locator('#veto').innerText(), /一票否决/);
  assert.ok(Number(await desk.locator('#unit-total').innerText()) <= 100);
  await desk.screenshot({ path: join(shots, '81-county-assessment.png'), fullPage: true });
  await desk.goto(`${app.base}/assessment/annual?year=${year}`);
  assert.match(await desk.locator('#annual').innerText(), /清河县农村信用合作联社/);
  await desk.screenshot({ path: join(shots, '82-annual-result.png'), fullPage: true });
  await desk.close();
});

test("the county's work plan shows each item's owner, due month and state", async () => {
  const desk = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(desk, app.base, 'qinghe.baowei');
  await desk.goto(`${app.base}/workplan`);
  const text = await desk.locator('#plan-items').innerText();
  assert.match(text, /层层签订安全责任书/);
  assert.match(text, /110联网报警系统/);
  assert.match(text, /保卫人员：/);
  assert.ok(Number(await desk.locator('#plan-done').innerText()) >= 1, 'the alarm network was reported done in January');
  await desk.screenshot({ path: join(shots, '83-county-work-plan.png'), fullPage: true });
  await desk.close();
});
