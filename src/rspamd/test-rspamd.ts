// Tests' own rspamd (the Debian package): a minimal config in a temporary directory — one normal
// worker on 127.0.0.1 and an ephemeral port, no controller, no proxy, no Redis, none of rspamd's
// stock modules (they would ask DNS lists on the Internet), DNS pointed at a closed local port,
// a four-entry TLD list (the full one takes ~10 s to compile) — and our own Lua rules with known
// symbols and scores. Started in the foreground as a child, stopped by its PID.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../testing/net.js";

/** A subject containing this gets YUBIN_TEST_MARKER, score 7.5. */
export const marker = "RSPAMD-TEST-MARKER";
export const markerSymbol = "YUBIN_TEST_MARKER";
export const markerScore = 7.5;

// Symbols whose callbacks check what we sent in the request headers, so a test sees that rspamd
// read the envelope (not only the message): YUBIN_TEST_ENVELOPE fires when the envelope is the
// one the test names in the message's X-Test-Envelope field, "ip helo from rcpt1,rcpt2 queueid".
const rules = `
rspamd_config:register_symbol({
  name = '${markerSymbol}', score = ${markerScore}, description = 'Subject carries the test marker',
  callback = function(task)
    local s = task:get_subject()
    return s ~= nil and s:find('${marker}', 1, true) ~= nil
  end,
})
rspamd_config:register_symbol({
  name = 'YUBIN_TEST_ENVELOPE', score = 0.5, description = 'Envelope as X-Test-Envelope says',
  callback = function(task)
    local want = task:get_header('X-Test-Envelope')
    if not want then return false end
    local rcpts = {}
    for _, r in ipairs(task:get_recipients('smtp') or {}) do table.insert(rcpts, r.addr) end
    local from = (task:get_from('smtp') or {})[1]
    local got = table.concat({
      tostring(task:get_from_ip()), tostring(task:get_helo()),
      from and from.addr or '', table.concat(rcpts, ','), tostring(task:get_queue_id()),
    }, ' ')
    return got == want
  end,
})
rspamd_config:register_symbol({
  name = 'YUBIN_TEST_USER', score = -0.25, description = 'Authenticated sender',
  callback = function(task) return task:get_user() ~= nil end,
})
`;

export interface TestRspamd {
  url: string;
  /** The child's PID (rspamd's main process). */
  pid: number;
  stop(): Promise<void>;
}

export async function startTestRspamd(): Promise<TestRspamd> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-rspamd-"));
  const port = await freePort();
  await writeFile(join(dir, "rules.lua"), rules);
  await writeFile(join(dir, "tld.dat"), "com\norg\nnet\ntest\n");
  await writeFile(
    join(dir, "rspamd.conf"),
    `options {
  pidfile = "${dir}/rspamd.pid";
  dbdir = "${dir}";
  tempdir = "${dir}";
  url_tld = "${dir}/tld.dat";
  dns { nameserver = ["127.0.0.1:1"]; timeout = 0.1s; retransmits = 1; }
}
logging { type = "file"; filename = "${dir}/rspamd.log"; level = "warning"; }
worker "normal" { bind_socket = "127.0.0.1:${port}"; count = 1; task_timeout = 8s; }
actions { reject = 15; add_header = 6; greylist = 4; }
lua = "${dir}/rules.lua";
`,
  );
  // rspamd refuses to run its workers as root unless told which user to be.
  const asUser = process.getuid?.() === 0 ? ["-u", "root", "-g", "root"] : [];
  const child: ChildProcess = spawn("rspamd", ["-f", ...asUser, "-c", join(dir, "rspamd.conf")], {
    stdio: "ignore",
  });
  let exited = false;
  const gone = new Promise<void>((r) =>
    child.once("exit", () => {
      exited = true;
      r();
    }),
  );
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      process.kill(child.pid, "SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  // Bounded wait: ~0.5 s here with the short TLD list; 60 s covers a loaded CI machine.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    if (await pong(url)) return { url, pid: child.pid ?? 0, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  const logTail = (await readFile(join(dir, "rspamd.log"), "utf8").catch(() => "")).slice(-2000);
  await stop();
  throw new Error(
    `${exited ? "rspamd exited at start" : "rspamd did not come up in 60 s"}; its log:\n${logTail}`,
  );
}

/** rspamd's workers answer GET /ping with "pong". */
async function pong(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return (await r.text()).trim() === "pong";
  } catch {
    return false;
  }
}
