// The upkeep in Japanese, through the pages only (`tekigo serve --demo`): the dashboard's
// upkeep counts of the gateway demo, a certificate that expired added through the
// certificate form (a refused form first, which says why), the upkeep page showing it
// overdue with its rule, and the dashboard's overdue count going up by what the
// certificate made overdue. Screenshots into TEKIGO_SCREENSHOTS (default
// target/screenshots), upkeep-*.png.
//
// Run by hand: TEKIGO_BIN=target/debug/tekigo node e2e/upkeep.spec.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";
import { startServer, tekigoBin } from "./server.mjs";

const BIN = tekigoBin("upkeep.spec");
const PASSWORD = "violet harbour 73 compass";
const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.TEKIGO_SCREENSHOTS || path.join(here, "..", "target", "screenshots");

/** The dashboard's overdue count for the gateway demo. */
async function overdue(page) {
  await page.goto(`${origin}/`);
  const cell = page.locator("#upkeep-summary tr[data-project=gateway] td").nth(1);
  return Number((await cell.textContent()).trim());
}

const server = await startServer(BIN);
const origin = server.origin;
let browser;
try {
  const token = await server.token;
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
  const context = await browser.newContext({
    locale: "ja-JP",
    extraHTTPHeaders: { "Accept-Language": "ja" },
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));

  await page.goto(`${origin}/setup`);
  await page.fill("input[name=token]", token);
  await page.fill("input[name=username]", "kanri");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${origin}/`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("#upkeep-summary h2"), /適合維持/);
  const before = await overdue(page);
  await page.screenshot({ path: path.join(SHOTS, "upkeep-home-before-ja.png"), fullPage: true });

  // The certificate form, from the project page through the certificate list.
  await page.goto(`${origin}/p/gateway`);
  await Promise.all([page.waitForURL(/\/certificates$/), page.click("#certificates-link")]);
  assert.match(await page.textContent("h1"), /認証書/);
  const form = "#certificate-form";
  await page.fill(`${form} input[name=id]`, "isasecure-2024");
  await page.fill(`${form} input[name=scheme]`, "ISASecure CSA");
  await page.fill(`${form} input[name=body]`, "認証機関テスト");
  await page.fill(`${form} input[name=number]`, "CSA-0042");
  await page.selectOption(`${form} select[name=standard]`, "62443-4-2");
  await page.fill(`${form} input[name=level]`, "2");
  await page.fill(`${form} input[name=issued]`, "2024-01-15");
  // Refused first: the expiry is not after the issue date; the message names the field.
  await page.fill(`${form} input[name=expires]`, "2023-12-31");
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector("#cert-errors .error");
  assert.match(await page.textContent("#cert-errors"), /expires: 2023-12-31 is not after issued/);
  await page.screenshot({ path: path.join(SHOTS, "upkeep-form-refused-ja.png"), fullPage: true });
  await page.fill(`${form} input[name=expires]`, "2025-01-14");
  await page.fill(`${form} textarea[name=renewal_items]`, "侵入テスト報告書の提出@2024-12-01");
  await Promise.all([
    page.waitForURL(/\/p\/gateway\/certificates\/isasecure-2024$/),
    page.click(`${form} button[type=submit]`),
  ]);
  const facts = await page.textContent("#certificate");
  assert.match(facts, /ISASecure CSA/);
  assert.match(facts, /\{2 2 2 2 2 2 2\}/);
  assert.match(await page.textContent("#renewal-items"), /侵入テスト報告書の提出/);
  await page.screenshot({ path: path.join(SHOTS, "upkeep-certificate-ja.png"), fullPage: true });

  // The upkeep page: the certificate is overdue, with the rule's sentence.
  await page.goto(`${origin}/p/gateway/upkeep`);
  assert.match(await page.textContent("h1"), /適合維持/);
  const row = page.locator("#upkeep-items tr.upkeep-overdue", { hasText: "isasecure-2024 (ISASecure CSA CSA-0042)" }).filter({ hasText: "2025-01-14" });
  assert.equal(await row.count(), 1, "the expired certificate is one overdue row");
  assert.match(await row.textContent(), /期限超過/);
  assert.match(await row.textContent(), /認証の有効期限/);
  assert.match(await row.textContent(), /認証は有効期限日まで有効です/);
  const item = page.locator("#upkeep-items tr.upkeep-overdue", { hasText: "侵入テスト報告書の提出" });
  assert.equal(await item.count(), 1, "the renewal item is overdue too");
  await page.screenshot({ path: path.join(SHOTS, "upkeep-page-ja.png"), fullPage: true });

  // The dashboard counts both.
  const after = await overdue(page);
  assert.equal(after, before + 2, `overdue on the dashboard: ${before} -> ${after}`);
  await page.screenshot({ path: path.join(SHOTS, "upkeep-home-after-ja.png"), fullPage: true });

  // The renewal item recorded done through the certificate page's form: no longer overdue.
  await page.goto(`${origin}/p/gateway/certificates/isasecure-2024`);
  assert.match(await page.textContent("#done-form"), /更新項目の完了を記録/);
  await page.selectOption("#done-form select[name=item]", "侵入テスト報告書の提出");
  await page.fill("#done-form input[name=date]", "2024-11-28");
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/done") && r.status() === 200),
    page.click("#done-form button[type=submit]"),
  ]);
  await page.waitForFunction(() => document.querySelector("#renewal-items")?.textContent.includes("2024-11-28"));
  await page.screenshot({ path: path.join(SHOTS, "upkeep-item-done-ja.png"), fullPage: true });
  const done = await overdue(page);
  assert.equal(done, after - 1, `overdue after the item was done: ${after} -> ${done}`);

  assert.deepEqual(problems, [], "no script errors or CSP violations");
  console.log(`upkeep.spec: ok (overdue ${before} -> ${after}, one item done)`);
} catch (e) {
  console.error(`upkeep.spec: FAILED: ${e.stack || e}\n--- server output ---\n${server.log()}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  server.stop();
}
