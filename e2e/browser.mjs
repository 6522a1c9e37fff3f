// Launches Debian's chromium through playwright-core. Playwright's own browser builds cannot
// be downloaded on CI machines, so every end-to-end test starts the system browser here,
// with no background traffic (the machines have no network).
//
// The profile is fresh on every launch: playwright-core refuses a --user-data-dir argument
// and instead passes one of its own, a new temporary directory it deletes on close().
import { chromium } from "playwright-core";

/** Path of the browser; TEKIGO_CHROMIUM overrides it for machines that keep it elsewhere. */
export const CHROMIUM = process.env.TEKIGO_CHROMIUM || "/usr/bin/chromium";

/** Flags for a quiet, offline, headless browser that also runs as root in CI. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts a headless chromium with a fresh profile; close it with `browser.close()`. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
