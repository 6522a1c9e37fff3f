// End-to-end test of `tekigo serve` in headless chromium: first-start setup, login, the
// check sheet and its filters, answering a requirement, uploading evidence, the achieved
// vector following the answer, the PDF report, the demo's vulnerabilities filtered and
// triaged, and no request to any other host.
//
// Builds nothing: TEKIGO_BIN names the tekigo binary (crates/tekigo-cli/tests/e2e.rs runs
// this script with the binary cargo built). Run by hand:
//   TEKIGO_BIN=target/debug/tekigo node e2e/app.spec.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import { launch } from "./browser.mjs";
import { startServer, tekigoBin } from "./server.mjs";

const BIN = tekigoBin("app.spec");
const PASSWORD = "violet harbour 73 compass";
const STEP_MS = 30_000;

const server = await startServer(BIN);
const origin = server.origin;
let browser;
try {
  const token = await server.token;
  browser = await launch();
  const context = await browser.newContext({ acceptDownloads: true });
  context.setDefaultTimeout(STEP_MS);
  const foreign = [];
  context.on("request", (req) => {
    const url = new URL(req.url());
    if (url.origin !== origin && url.protocol !== "data:") foreign.push(req.url());
  });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));

  // First start: the administrator is created with the printed token.
  await page.goto(`${origin}/setup`);
  await page.fill("input[name=token]", token);
  await page.fill("input[name=username]", "e2e-admin");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${origin}/`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("main"), /GW-100 gateway/);

  // Log out and in again through the login form.
  await Promise.all([page.waitForURL(/\/login/), page.click("#logout")]);
  await page.goto(`${origin}/p/gateway`);
  assert.match(page.url(), /\/login\?next=%2Fp%2Fgateway$/);
  await page.fill("input[name=username]", "e2e-admin");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${origin}/p/gateway`), page.click("button[type=submit]")]);

  // The gateway's check sheet, filtered with htmx.
  await Promise.all([page.waitForURL(/\/a\/gw-100-4-2$/), page.click("a[href='/p/gateway/a/gw-100-4-2']")]);
  const achievedBefore = (await page.textContent("#overview output.sl-projected")).trim();
  const allRows = Number(await page.textContent("#row-count"));
  assert.ok(allRows > 50, `check sheet rows: ${allRows}`);
  await page.selectOption("select[name=fr]", "5");
  await page.waitForFunction((n) => Number(document.querySelector("#row-count").textContent) < n, allRows);
  assert.match(page.url(), /fr=5/, "the filter is in the address bar");
  const rdfRows = await page.$$eval("#sheet tbody a", (links) => links.map((a) => a.textContent));
  assert.ok(rdfRows.includes("CR 5.1") && !rdfRows.includes("CR 1.1"), rdfRows.join(", "));

  // Answer CR 5.1: not satisfied, with a reason.
  await Promise.all([page.waitForURL(/\/r\/CR%205\.1$/), page.click("#sheet a:text-is('CR 5.1')")]);
  await page.selectOption("#answer-form select[name=status]", "not-satisfied");
  await page.fill("#answer-form textarea[name=reason]", "The firewall is off in the field configuration (e2e).");
  await page.click("#answer-form button[type=submit]");
  await page.waitForSelector("#answer .notice");
  assert.equal((await page.textContent("#current-reason")).trim(), "The firewall is off in the field configuration (e2e).");
  const achievedAfter = (await page.textContent("#overview output.sl-projected")).trim();
  assert.notEqual(achievedAfter, achievedBefore, "the projected vector follows the answer");
  assert.equal(achievedAfter.split(" ")[4], "0", `FR 5 drops to 0: ${achievedBefore} -> ${achievedAfter}`);

  // Evidence uploaded through the page and attached to the answer.
  await page.setInputFiles("#evidence-form input[name=file]", {
    name: "firewall-rules.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("table inet filter { chain input { policy drop; } }\n"),
  });
  await page.click("#evidence-form button[type=submit]");
  await page.waitForSelector("#evidence-list a:text-is('firewall-rules.txt')");

  // Back on the check sheet, the new vector and status are shown.
  await page.goto(`${origin}/p/gateway/a/gw-100-4-2?fr=5`);
  assert.equal((await page.textContent("#overview output.sl-projected")).trim(), achievedAfter);
  const status = await page.textContent("#sheet tr:has(a:text-is('CR 5.1')) .badge");
  assert.equal(status.trim(), "not satisfied");

  // The PDF report downloads with the session cookie. The click does not wait for a
  // navigation (a download is none): rendering may outlast the step timeout on a busy
  // machine, and the download event has its own.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 180_000 }),
    page.click("#report-pdf", { noWaitAfter: true }),
  ]);
  const pdf = fs.readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-", "the report is a PDF");

  // The demo's vulnerabilities: Log4Shell (in the KEV catalog) before glibc; a level chosen
  // from the keyboard filters the list and leaves the focus in the form; a decision comes
  // back to the filtered view.
  await page.goto(`${origin}/p/gateway/vulnerabilities`);
  const ids = () => page.$$eval("#findings-list tbody tr td:first-child", (tds) => tds.map((td) => td.firstChild.textContent.trim()));
  assert.deepEqual(await ids(), ["GHSA-jfh8-c2jp-5v3q", "DSA-5514-1"]);
  await page.focus("#findings select[name=severity]");
  await page.keyboard.press("ArrowDown");
  await page.waitForURL(/severity=critical/);
  await page.waitForFunction(() => document.querySelectorAll("#findings-list tbody tr").length === 1);
  assert.deepEqual(await ids(), ["GHSA-jfh8-c2jp-5v3q"]);
  assert.equal(await page.evaluate(() => document.activeElement?.name), "severity", "the focus stays in the filters");
  await page.click("#findings-list details summary");
  await page.selectOption("#findings-list select[name=state]", "not_affected");
  await page.selectOption("#findings-list select[name=justification]", "vulnerable_code_not_in_execute_path");
  await page.click("#findings-list form button[type=submit]");
  await page.waitForSelector("#vulns .notice");
  assert.deepEqual(await ids(), ["GHSA-jfh8-c2jp-5v3q"], "the decision comes back to the critical findings");
  assert.match(await page.textContent("#findings-list tbody"), /Not affected/);

  assert.deepEqual(foreign, [], "the pages load nothing from other hosts");
  assert.deepEqual(problems, [], "no script errors or CSP violations");
  console.log(`app.spec: ok (achieved ${achievedBefore} -> ${achievedAfter}, PDF ${pdf.length} bytes)`);
} catch (e) {
  console.error(`app.spec: FAILED: ${e.stack || e}\n--- server output ---\n${server.log()}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  server.stop();
}
