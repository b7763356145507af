// Accounts from the staff register in a browser: the administrator previews the accounts a cooperative's staff
// would get, makes them, and gets the printable hand-over sheet with the one-time passwords; a second run has none
// left to make. Screenshots in e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemo, browser, signIn, shots } from './support.mjs';

let app, chrome;
before(async () => { app = await startDemo(); chrome = await browser(); });
after(async () => { await chrome?.close(); app?.child.kill(); });

test('bulk accounts: preview, the hand-over sheet, and nothing made twice', async () => {
  const page = await chrome.newPage({ viewport: { width: 1366, height: 900 } });
  await signIn(page, app.base, 'admin');
  await page.goto(`${app.base}/admin/accounts/bulk`);
  // Choose a cooperative in the picker.
  const coop = await page.locator('#unit-picker option').evaluateAll(
    (os) => os.find((o) => o.textContent.trim() === '城关信用社')?.value);
  assert.ok(coop, 'the picker lists the cooperative');
  await page.goto(`${app.base}/admin/accounts/bulk?unit=${coop}`);
  await page.waitForSelector('#bulk-preview');
  const count = Number(await page.locator('#bulk-count').innerText());
  assert.ok(count > 0, 'staff without accounts are proposed');
  assert.equal(await page.locator('#bulk-preview tbody tr').count(), count);
  await page.screenshot({ path: join(shots, '60-bulk-preview.png'), fullPage: false });
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]:has-text("确认开户")')]);
  await page.waitForSelector('#sheet-table');
  assert.equal(await page.locator('#sheet-table tbody tr').count(), count);
  const pw = await page.locator('#sheet-table tbody tr').first().locator('code').innerText();
  assert.match(pw, /^[a-z2-9]{10}$/);
  assert.ok(await page.locator('a[download="initial-accounts.xlsx"]').count() === 1, 'the Excel file is on the sheet');
  await page.screenshot({ path: join(shots, '61-bulk-sheet.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(shots, '62-bulk-sheet-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  // The same unit again: nothing left to make.
  await page.goto(`${app.base}/admin/accounts/bulk?unit=${coop}`);
  assert.equal(await page.locator('#bulk-count').innerText(), '0');
  await page.close();
});
