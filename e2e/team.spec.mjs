// A team's first day in `tekigo serve --demo`, in Japanese, through the pages only: first
// start, a user made on the users page, a new project, a component, a 62443-4-2
// assessment, an answer with evidence that moves the achieved levels, a member, the zones
// drawing of the demo, the PDF report; then the member's first login (the password the
// administrator set must be changed first) and an API token with an expiry, used against
// /api, revoked, and refused.
//
// Builds nothing: TEKIGO_BIN names the tekigo binary (crates/tekigo-cli/tests/e2e.rs runs
// this script with the binary cargo built). Run by hand:
//   TEKIGO_BIN=target/debug/tekigo node e2e/team.spec.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import { launch } from "./browser.mjs";
import { startServer, tekigoBin } from "./server.mjs";

const BIN = tekigoBin("team.spec");
const PASSWORD = "violet harbour 73 compass";
const MEMBER = "tanaka";
const FIRST_PASSWORD = "temporary moss 41 kettle";
const MEMBER_PASSWORD = "sakura 88 lantern river";

/** The achieved vector the overview shows, as numbers. */
async function achieved(page) {
  const text = (await page.textContent("#overview output.sl-a")).trim();
  return text.replace(/[{}]/g, "").split(" ").map(Number);
}

/** The member's user, made by the administrator on the users page. */
async function createUser(page) {
  await page.goto(`${origin}/admin/users`);
  assert.match(await page.textContent("h1"), /ユーザー/);
  await page.fill("#user-form input[name=name]", MEMBER);
  await page.fill("#user-form input[name=password]", FIRST_PASSWORD);
  await page.click("#user-form button[type=submit]");
  await page.waitForSelector("#users .notice");
  assert.match(await page.textContent("#users .notice"), /ユーザーを作成しました/);
  assert.match(await page.textContent("#users table"), new RegExp(`${MEMBER}[\\s\\S]*パスワード変更待ち`));
}

/** GET /api/me with only the bearer token (no cookie): the HTTP status and whose token it is. */
async function apiMe(page, token) {
  return page.evaluate(async (secret) => {
    const r = await fetch("/api/me", { credentials: "omit", headers: { authorization: `Bearer ${secret}` } });
    return { status: r.status, user: r.ok ? (await r.json()).user : null };
  }, token);
}

/**
 * The member's first login: the administrator's password leads to the account page until
 * it is changed there, which ends the session; then the new one opens the projects.
 */
async function firstLogin(mp) {
  await mp.goto(`${origin}/login`);
  await mp.fill("input[name=username]", MEMBER);
  await mp.fill("input[name=password]", FIRST_PASSWORD);
  await Promise.all([mp.waitForURL(/\/account\/password$/), mp.click("button[type=submit]")]);
  assert.match(await mp.textContent("#account"), /管理者が設定したもの/);
  assert.equal(await mp.$("#token-form"), null, "no tokens before the password is changed");
  await mp.fill("#password-form input[name=current]", FIRST_PASSWORD);
  await mp.fill("#password-form input[name=new]", MEMBER_PASSWORD);
  await Promise.all([mp.waitForURL(/\/login/), mp.click("#password-form button[type=submit]")]);
  await mp.fill("input[name=username]", MEMBER);
  await mp.fill("input[name=password]", MEMBER_PASSWORD);
  await Promise.all([mp.waitForURL(`${origin}/`), mp.click("button[type=submit]")]);
}

/** An API token with an expiry: it opens /api until it is revoked on the account page. */
async function tokenStep(mp) {
  await Promise.all([mp.waitForURL(/\/account$/), mp.click("header a[href='/account']")]);
  await mp.fill("#token-form input[name=name]", "ci-pipeline");
  await mp.fill("#token-form input[name=days]", "30");
  await mp.click("#token-form button[type=submit]");
  await mp.waitForSelector("#new-token");
  assert.match(await mp.textContent("#account .notice"), /トークンを作成しました/);
  const secret = (await mp.textContent("#new-token")).trim();
  const row = mp.locator("#account tbody tr", { hasText: "ci-pipeline" });
  const expires = (await row.locator("td").nth(3).textContent()).trim();
  const days = (Date.parse(expires.replace(" UTC", "Z").replace(" ", "T")) - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30, `expires in 30 days: ${expires}`);
  assert.deepEqual(await apiMe(mp, secret), { status: 200, user: MEMBER }, "the token before revocation");
  await row.locator("button[type=submit]").click();
  await mp.waitForSelector("#account .notice:has-text('トークンを失効させました')");
  assert.equal((await apiMe(mp, secret)).status, 401, "the token after revocation");
}

const server = await startServer(BIN);
const origin = server.origin;
let browser;
try {
  const token = await server.token;
  browser = await launch();
  const context = await browser.newContext({
    acceptDownloads: true,
    locale: "ja-JP",
    extraHTTPHeaders: { "Accept-Language": "ja" },
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));

  // First start.
  await page.goto(`${origin}/setup`);
  assert.match(await page.textContent("main"), /初期設定/);
  await page.fill("input[name=token]", token);
  await page.fill("input[name=username]", "kanri");
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForURL(`${origin}/`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /プロジェクト/);

  // A new project.
  await Promise.all([page.waitForURL(/\/projects\/new$/), page.click("#new-project-link")]);
  await page.fill("input[name=id]", "pump");
  await page.fill("input[name=product]", "ポンプ制御盤");
  await page.fill("input[name=vendor]", "山田製作所");
  await page.selectOption("select[name=language]", "ja");
  await page.check("input[name=standard][value='62443-4-2']");
  await Promise.all([page.waitForURL(/\/p\/pump\/settings$/), page.click("#project-form button[type=submit]")]);
  assert.match(await page.textContent("#no-components"), /コンポーネントはまだありません/);

  // A component.
  await page.fill("#component-form input[name=name]", "pump-plc");
  await page.selectOption("#component-form select[name=type]", "embedded");
  await page.fill("#component-form input[name=version]", "1.0.0");
  await page.click("#component-form button[type=submit]");
  await page.waitForSelector("#settings-outcome.notice");
  assert.match(await page.textContent("#components table"), /pump-plc/);
  assert.match(await page.textContent("#components table"), /組込み機器/);

  // A member, whose user the administrator makes on the users page.
  await createUser(page);
  await page.goto(`${origin}/p/pump/settings`);
  await page.fill("#member-form input[name=user]", MEMBER);
  await page.selectOption("#member-form select[name=role]", "assessor");
  await page.click("#member-form button[type=submit]");
  await page.waitForSelector("#settings-outcome.notice");
  assert.match(await page.textContent("#members table"), new RegExp(MEMBER));

  // A 4-2 assessment of the component: SL-T 2 everywhere but FR 6 (TRE) at 1.
  await page.goto(`${origin}/p/pump`);
  await Promise.all([page.waitForURL(/\/assessments\/new$/), page.click("#new-assessment-link")]);
  await page.fill("input[name=id]", "plc-4-2");
  await page.selectOption("select[name=standard]", "62443-4-2");
  await page.fill("input[name=subject]", "pump-plc");
  const levels = await page.$$("select[name=sl_t]");
  assert.equal(levels.length, 7);
  await levels[5].selectOption("1");
  await Promise.all([page.waitForURL(/\/p\/pump\/a\/plc-4-2$/), page.click("#assessment-form button[type=submit]")]);
  assert.equal((await page.textContent("#overview output.sl-t")).trim(), "{2 2 2 2 2 1 2}");
  const before = await achieved(page);
  assert.equal(before[5], 0, `nothing answered yet: ${before}`);

  // Answer CR 6.1 (the only FR 6 requirement at SL 1) with evidence: FR 6 reaches 1.
  await page.selectOption("select[name=fr]", "6");
  await page.waitForSelector("#sheet a:text-is('CR 6.1')");
  await Promise.all([page.waitForURL(/\/r\/CR%206\.1$/), page.click("#sheet a:text-is('CR 6.1')")]);
  await page.selectOption("#answer-form select[name=status]", "satisfied");
  await page.fill("#answer-form textarea[name=reason]", "監査ログは syslog で保存し、閲覧は管理者に限定している。");
  await page.click("#answer-form button[type=submit]");
  await page.waitForSelector("#answer .notice");
  assert.equal((await page.textContent("#current-status")).trim(), "充足");
  await page.setInputFiles("#evidence-form input[name=file]", {
    name: "監査ログ設定.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("*.* @@loghost:6514\n"),
  });
  await page.click("#evidence-form button[type=submit]");
  await page.waitForSelector("#evidence-list a:text-is('監査ログ設定.txt')");
  const after = await achieved(page);
  assert.equal(after[5], 1, `FR 6 follows the answer: ${before} -> ${after}`);

  // A project that does not exist: the error page says so in Japanese (in a page of its
  // own, whose 404 the console reports and the check for script errors must not see).
  const missing = await context.newPage();
  assert.equal((await missing.goto(`${origin}/p/no-such-project`)).status(), 404);
  assert.match(await missing.textContent("#error-gist"), /存在しないか/);
  await missing.close();

  // The zones and conduits of the demo's water treatment plant.
  await page.goto(`${origin}/p/water-treatment`);
  await Promise.all([page.waitForURL(/\/zones$/), page.click("#zones-link")]);
  assert.match(await page.textContent("h1"), /ゾーンとコンジット/);
  assert.ok(await page.isVisible("#zones-drawing svg"), "the drawing is shown");
  assert.match(await page.textContent("#zones-table"), /企業ネットワーク/);

  // The PDF of the new assessment.
  await page.goto(`${origin}/p/pump/a/plc-4-2`);
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 180_000 }),
    page.click("#report-pdf", { noWaitAfter: true }),
  ]);
  const pdf = fs.readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-", "the report is a PDF");

  // The member logs in, sets their own password, sees the project as an assessor, and
  // makes and revokes an API token.
  const member = await browser.newContext({ locale: "ja-JP", extraHTTPHeaders: { "Accept-Language": "ja" } });
  member.setDefaultTimeout(30_000);
  const mp = await member.newPage();
  mp.on("pageerror", (e) => problems.push(String(e)));
  await firstLogin(mp);
  assert.match(await mp.textContent("main"), /ポンプ制御盤/);
  assert.equal(await mp.$("header a[href='/admin/users']"), null, "no users link for a member");
  await tokenStep(mp);
  await member.close();

  assert.deepEqual(problems, [], "no script errors or CSP violations");
  console.log(`team.spec: ok (FR 6 ${before[5]} -> ${after[5]}, PDF ${pdf.length} bytes)`);
} catch (e) {
  console.error(`team.spec: FAILED: ${e.stack || e}\n--- server output ---\n${server.log()}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  server.stop();
}
