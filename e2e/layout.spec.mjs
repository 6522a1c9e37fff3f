// Layout of every page of `tekigo serve --demo`, in Japanese and English: a screenshot of
// each at 1366 and 390 pixels wide (into TEKIGO_SCREENSHOTS, default target/screenshots,
// for a person to look at), no page wider than the window, and on the check sheet at 1024
// pixels no text wider than its box and no header word broken across lines.
//
// Run by hand: TEKIGO_BIN=target/debug/tekigo node e2e/layout.spec.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";
import { startServer, tekigoBin } from "./server.mjs";

const BIN = tekigoBin("layout.spec");
const PASSWORD = "violet harbour 73 compass";
const here = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.TEKIGO_SCREENSHOTS || path.join(here, "..", "target", "screenshots");
const WIDTHS = [1366, 390];

/** Every page a logged-in administrator can open, by name. */
const PAGES = {
  home: "/",
  project: "/p/gateway",
  settings: "/p/gateway/settings",
  "new-project": "/projects/new",
  "new-assessment": "/p/gateway/assessments/new",
  sheet: "/p/gateway/a/gw-100-4-2",
  "sheet-all-levels": "/p/gateway/a/gw-100-4-2?scope=all",
  requirement: "/p/gateway/a/gw-100-4-2/r/CR%201.1",
  vulnerabilities: "/p/gateway/vulnerabilities",
  upkeep: "/p/gateway/upkeep",
  certificates: "/p/gateway/certificates",
  certificate: "/p/gateway/certificates/layout-cert",
  regime: "/p/gateway/a/gw-100-4-2/regime/csf-2.0",
  zones: "/p/water-treatment/zones",
  "zones-empty": "/p/gateway/zones",
  "tekigo-self": "/p/tekigo-self/a/tekigo-4-2",
  account: "/account",
  users: "/admin/users",
  "not-found": "/p/no-such-project",
};

/**
 * Elements whose content is wider than their box (text that spills out). With `plant`, a
 * too-long word is put into the first cell first (and taken out after), to prove that the
 * detector detects.
 */
function overflowing({ root, plant }) {
  let probe = null;
  if (plant) {
    probe = document.createElement("div");
    probe.style.width = "40px";
    probe.style.overflowWrap = "normal";
    probe.textContent = "Wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww";
    document.querySelector(`${root} tbody td`).appendChild(probe);
  }
  const out = [];
  for (const el of document.querySelectorAll(`${root} *`)) {
    const style = getComputedStyle(el);
    if (style.display === "inline" || style.overflowX === "auto" || el.tagName === "svg") continue;
    if (el.closest("svg")) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}: ${el.textContent.trim().slice(0, 40)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  if (probe) probe.remove();
  return out;
}

/** Header cells in which a Latin word is split over two lines. */
function brokenHeaderWords(root) {
  const out = [];
  for (const th of document.querySelectorAll(`${root} th`)) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[A-Za-z0-9-]{2,}/g;
      for (let m = re.exec(node.textContent); m; m = re.exec(node.textContent)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) out.push(`${m[0]} in "${th.textContent.trim()}"`);
      }
    }
  }
  return out;
}

const server = await startServer(BIN);
const origin = server.origin;
let browser;
try {
  const token = await server.token;
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
  const problems = [];
  const shots = [];
  for (const lang of ["ja", "en"]) {
    const context = await browser.newContext({
      locale: lang === "ja" ? "ja-JP" : "en-US",
      extraHTTPHeaders: { "Accept-Language": lang },
    });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(String(e)));
    if (lang === "ja") {
      await page.goto(`${origin}/setup`);
      await page.screenshot({ path: path.join(SHOTS, "setup-ja-1366.png"), fullPage: true });
      await page.fill("input[name=token]", token);
      await page.fill("input[name=username]", "layout-admin");
      await page.fill("input[name=password]", PASSWORD);
      await Promise.all([page.waitForURL(`${origin}/`), page.click("button[type=submit]")]);
      // A certificate for the certificate page, through its form.
      await page.goto(`${origin}/p/gateway/certificates`);
      await page.fill("#certificate-form input[name=id]", "layout-cert");
      await page.fill("#certificate-form input[name=scheme]", "ISASecure CSA");
      await page.fill("#certificate-form input[name=number]", "CSA-LAYOUT-0001");
      await page.fill("#certificate-form input[name=level]", "2");
      await page.fill("#certificate-form input[name=issued]", "2025-01-15");
      await page.fill("#certificate-form input[name=expires]", "2028-01-14");
      await page.fill("#certificate-form input[name=surveillance_months]", "12");
      await page.fill("#certificate-form textarea[name=renewal_items]", "Penetration test report@2027-12-01");
      await Promise.all([page.waitForURL(/layout-cert$/), page.click("#certificate-form button[type=submit]")]);
    } else {
      await page.goto(`${origin}/login`);
      await page.fill("input[name=username]", "layout-admin");
      await page.fill("input[name=password]", PASSWORD);
      await Promise.all([page.waitForURL(`${origin}/`), page.click("button[type=submit]")]);
    }
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, url] of Object.entries(PAGES)) {
        await page.goto(`${origin}${url}`);
        const file = path.join(SHOTS, `${name}-${lang}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        shots.push(file);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 1) problems.push(`${name} (${lang}, ${width} px): the page is ${wide} px wider than the window`);
      }
    }
    // The check sheet at 1024 pixels, every level shown: no text outside its box.
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(`${origin}/p/gateway/a/gw-100-4-2?scope=all`);
    // The detector itself: a word wider than its cell must be caught.
    const planted = await page.evaluate(overflowing, { root: "main", plant: true });
    assert.ok(planted.length > 0, "the overflow detector finds a planted overflow");
    for (const p of await page.evaluate(overflowing, { root: "main", plant: false })) problems.push(`sheet (${lang}, 1024 px): ${p}`);
    for (const p of await page.evaluate(brokenHeaderWords, "main")) problems.push(`sheet (${lang}, 1024 px): header word broken: ${p}`);
    await page.screenshot({ path: path.join(SHOTS, `sheet-${lang}-1024.png`), fullPage: true });
    await context.close();
  }
  assert.deepEqual(problems, [], "layout problems");
  console.log(`layout.spec: ok (${shots.length} screenshots in ${SHOTS})`);
} catch (e) {
  console.error(`layout.spec: FAILED: ${e.stack || e}\n--- server output ---\n${server.log()}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  server.stop();
}
