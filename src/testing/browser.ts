// Headless Chromium for the web tests (Debian package "chromium", driven by playwright-core).
// Tests skip, with this reason, only when it is not installed; CI installs it and fails instead
// of skipping (.ci/run, src/testing/requires.ts).
import { type Browser, chromium } from "playwright-core";
import { fileSkip } from "./requires.js";

export const CHROMIUM = "/usr/bin/chromium";

/** false when Chromium is there, else the reason to skip. */
export const browserSkip: false | string = fileSkip(CHROMIUM, "chromium");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI containers cannot use Chromium's sandbox; nothing but our server is visited,
    // and every other host name fails to resolve (nothing a page loads can leave the machine).
    args: ["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost"],
  });
}
