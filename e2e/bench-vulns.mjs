// Browser timings of the vulnerabilities page for scripts/bench-server.sh vulns: a logged-in
// administrator in Japanese opens /p/plant/vulnerabilities (one SBOM of thousands of
// findings), records a decision from the first page, filters by level and goes to the next
// page. Prints each step's time in milliseconds, from the request to the page being ready.
//
//   node e2e/bench-vulns.mjs BASE_URL USERNAME PASSWORD
import assert from "node:assert/strict";
import { launch } from "./browser.mjs";

const [base, username, password] = process.argv.slice(2);
if (!password) {
  console.error("usage: node e2e/bench-vulns.mjs BASE_URL USERNAME PASSWORD");
  process.exit(2);
}
const browser = await launch();
try {
  const context = await browser.newContext({ locale: "ja-JP", extraHTTPHeaders: { "Accept-Language": "ja" } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);

  const timed = async (what, step) => {
    const start = Date.now();
    await step();
    console.log(`${what}: ${Date.now() - start} ms`);
  };
  await timed("open the page", () =>
    page.goto(`${base}/p/plant/vulnerabilities`, { waitUntil: "load", timeout: 120000 }));
  const forms = page.locator("form[hx-post*='/vulnerabilities/triage']");
  console.log(`triage forms on the page: ${await forms.count()}`);
  console.log(`shown: ${await page.locator("#findings-count").textContent()}`);
  await page.locator("#findings details summary").first().click();
  const form = forms.first();
  await form.locator("select[name=state]").selectOption("not_affected");
  await form.locator("select[name=justification]").selectOption("vulnerable_code_not_present");
  await timed("record a decision (the list comes back)", async () => {
    await form.locator("button[type=submit]").click();
    await page.locator("#vulns .notice").waitFor({ timeout: 120000 });
  });
  // From the keyboard, as a person without a mouse chooses: the first level below "all".
  await page.focus("#findings select[name=severity]");
  await timed("filter by level (critical)", async () => {
    await page.keyboard.press("ArrowDown");
    await page.waitForURL(/severity=critical/, { timeout: 120000 });
  });
  // The filters swap only the list below them: the focus stays in the form.
  assert.equal(await page.evaluate(() => document.activeElement?.name), "severity");
  await timed("next page", async () => {
    await page.click("#findings a[rel=next]");
    await page.waitForURL(/page=2/, { timeout: 120000 });
  });
  assert.match(await page.locator("#findings-count").textContent(), /件中 51–/);
} finally {
  await browser.close();
}
