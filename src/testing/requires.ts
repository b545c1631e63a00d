// Tests that drive an outside program (a Debian package) skip, with a reason, when it is missing.
// CI installs every one of them (.ci/run) and sets YUBIN_REQUIRE_ALL=1, which turns such a skip
// into a failure: a missing install step must fail CI, not pass it quietly with fewer tests.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const required = process.env.YUBIN_REQUIRE_ALL === "1";

/** false when present, else the reason to skip (or, under YUBIN_REQUIRE_ALL=1, an error). */
function skipUnless(present: boolean, reason: string): false | string {
  if (present) return false;
  if (required) throw new Error(`YUBIN_REQUIRE_ALL=1 but ${reason}`);
  return reason;
}

/** Skip reason for a test that runs the command `cmd` from the Debian package `pkg`. */
export function commandSkip(cmd: string, pkg = cmd): false | string {
  const found = spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
  return skipUnless(found, `${cmd} not installed (apt-get install ${pkg})`);
}

/** Skip reason for a test that needs the file `path` from the Debian package `pkg`. */
export function fileSkip(path: string, pkg: string): false | string {
  return skipUnless(existsSync(path), `${path} not installed (apt-get install ${pkg})`);
}
