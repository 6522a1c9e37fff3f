// Proves that playwright-core can drive Debian's chromium on this machine: loads a page from
// a data: URL, checks the title the page sets from script, and exits non-zero otherwise.
import assert from "node:assert/strict";
import { launch } from "./browser.mjs";

const html =
  "<!doctype html><title>before</title><p id=p>tekigo</p>" +
  "<script>document.title = 'tekigo ' + document.getElementById('p').textContent.length</script>";

const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto("data:text/html," + encodeURIComponent(html));
  assert.equal(await page.title(), "tekigo 6");
  console.log(`smoke: chromium ${browser.version()} via playwright-core ok`);
} finally {
  await browser.close();
}
