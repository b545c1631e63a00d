// Dovecot's imaptest (github.com/dovecot/imaptest) against a Yubin started for the purpose: a
// fresh data dir, two test users, IMAP over implicit TLS (imaptest's ssl=any-cert accepts the
// test certificate). Not part of CI: imaptest is built by hand (docs/rfc-status.md says how).
//
//   node --import tsx scripts/imaptest.ts --imaptest /tmp/imaptest/src/imaptest
//       runs every scripted test group in src/tests beside the binary (--tests DIR elsewhere;
//       --only fetch-envelope,sort runs those groups alone)
//   node --import tsx scripts/imaptest.ts --imaptest ... --stress 60 --clients 20
//       the random stress run for 60 s with state tracking, on messages from a generated mbox
//
// Exits with imaptest's status (0: all groups passed / no errors). --rawlog keeps imaptest's
// raw logs in the working directory.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PASSWORD, startImapTestServer } from "../src/imap/test-server.js";

const { values: opt } = parseArgs({
  options: {
    imaptest: { type: "string", default: process.env.IMAPTEST ?? "/tmp/imaptest/src/imaptest" },
    tests: { type: "string" },
    only: { type: "string" },
    stress: { type: "string" },
    clients: { type: "string", default: "20" },
    rawlog: { type: "boolean", default: false },
    // Bound on the whole imaptest run, so a stalled server cannot hang the script.
    timeout: { type: "string", default: "600" },
  },
});

const binary = resolve(opt.imaptest);
if (!existsSync(binary)) {
  console.error(`imaptest not found at ${binary} (--imaptest PATH or IMAPTEST=PATH)`);
  process.exit(2);
}

/** A small mbox for the stress run to APPEND from: plain, multipart and encoded messages. */
function stressMbox(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const date = new Date(Date.UTC(2020, i % 12, 1 + (i % 28), i % 24, i % 60)).toUTCString();
    out.push(`From sender${i}@example.test ${date.replace(",", "")}`);
    out.push(`From: Sender ${i} <sender${i}@example.test>`);
    out.push(`To: rcpt${i % 7}@example.test${i % 3 === 0 ? ", Other <other@example.test>" : ""}`);
    out.push(`Subject: ${i % 5 === 0 ? "=?UTF-8?B?5pel5pys6Kqe?= " : ""}message ${i}`);
    out.push(`Date: ${date}`);
    out.push(`Message-ID: <stress${i}@example.test>`);
    if (i % 4 === 1) {
      out.push("MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b"', "");
      out.push("--b", "Content-Type: text/plain", "", `part one of ${i}`, "--b");
      out.push("Content-Type: application/octet-stream", "Content-Transfer-Encoding: base64", "");
      out.push(Buffer.from(`attachment ${i}`).toString("base64"), "--b--");
    } else {
      out.push("", `body of message ${i}`, "line two".repeat(1 + (i % 9)));
    }
    out.push("");
  }
  return `${out.join("\r\n")}\r\n`;
}

// The stress run logs its clients in all at once from one address, before any has succeeded: the
// login throttle counts attempts in flight as failures (src/auth/throttle.ts) and would refuse
// most of them as a guesser's, so it is opened wide for this server.
const server = await startImapTestServer(
  opt.stress
    ? {
        server: {
          config: {
            auth: {
              throttleFreeFailures: 1000,
              throttleMaxFailures: 1000,
              throttleParallelPerIp: 1000,
              throttleKnownMaxFailures: 1000,
            },
          },
        },
      }
    : {},
);
const work = await mkdtemp(join(tmpdir(), "yubin-imaptest-"));
let code = 1;
try {
  const [user, user2] = server.server.users;
  if (!user || !user2) throw new Error("test server has no users");
  const args = [
    "host=127.0.0.1",
    `port=${server.port.implicit}`,
    "ssl=any-cert",
    `user=${user.address}`,
    `user2=${user2.address}`,
    `pass=${PASSWORD}`,
  ];
  if (opt.stress) {
    const mbox = join(work, "stress.mbox");
    await writeFile(mbox, stressMbox(200));
    args.push(`mbox=${mbox}`, `secs=${Number(opt.stress)}`, `clients=${Number(opt.clients)}`);
  } else {
    let tests = opt.tests ? resolve(opt.tests) : join(dirname(binary), "tests");
    if (opt.only) {
      // imaptest runs every file of a directory: link the chosen groups into one of our own.
      const dir = join(work, "tests");
      await mkdir(dir);
      const wanted = new Set(opt.only.split(",").map((s) => s.trim()));
      // A group is its script plus, when it has one, group.mbox; default.mbox serves the rest.
      for (const f of await readdir(tests)) {
        const group = f.replace(/\.mbox$/, "");
        if (wanted.has(group) || f === "default.mbox") await symlink(join(tests, f), join(dir, basename(f)));
      }
      tests = dir;
    }
    args.push(`test=${tests}`);
  }
  if (opt.rawlog) args.push("rawlog");
  console.log(`imaptest ${args.join(" ")}`);
  // Built with --with-dovecot=/usr/lib/dovecot, it links libdovecot.so from there.
  const libs = ["/usr/lib/dovecot", process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  const child = spawn(binary, args, {
    stdio: ["ignore", "pipe", "inherit"],
    cwd: opt.rawlog ? process.cwd() : work,
    env: { ...process.env, LD_LIBRARY_PATH: libs },
  });
  // The stress run exits 0 whatever it found: its errors are the lines starting "Error: ".
  let errors = 0;
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    const lines = (partial + chunk.toString("latin1")).split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) if (l.startsWith("Error: ")) errors++;
  });
  const timer = setTimeout(() => child.kill("SIGTERM"), Number(opt.timeout) * 1000);
  code = await new Promise<number>((res) => child.on("close", (c, sig) => res(c ?? (sig ? 1 : 0))));
  clearTimeout(timer);
  if (partial.startsWith("Error: ")) errors++;
  if (opt.stress) {
    console.log(`${errors} errors`);
    if (errors > 0 && code === 0) code = 1;
  }
} finally {
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
process.exit(code);
