// A private Dovecot for tests (the Maildir and IMAP importers' round trips): its own
// dovecot.conf, base_dir, state_dir and log under a temp dir, never the system service or
// /etc/dovecot. IMAP and LMTP listen on ephemeral 127.0.0.1 ports; users come from a
// passwd-file with {PLAIN} passwords; mail is Maildir under <dir>/home/<user>/Maildir, in
// Dovecot's default Maildir++ layout unless `layout: "fs"`. Runs as root (the login processes
// chroot); mail processes and files belong to nobody:nogroup, as Dovecot refuses root for them.
// The same way bench/compare/imap-vs-dovecot.ts runs its Dovecot.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort, stopChild, waitForGreeting } from "./net.js";

export interface DovecotUser {
  /** The login name, also the LMTP recipient ("ann@example.test"). */
  name: string;
  password: string;
}

export interface DovecotOptions {
  users: DovecotUser[];
  /** Maildir++ (Dovecot's default: `.Folder.Sub`) or LAYOUT=fs (`Folder/Sub`). */
  layout?: "maildir++" | "fs";
  /** More dovecot.conf lines, appended. */
  extraConfig?: string[];
  timeoutMs?: number;
}

export interface PrivateDovecot {
  dir: string;
  pid: number;
  imapPort: number;
  lmtpPort: number;
  /** <dir>/home/<user>/Maildir: the user's Maildir root (INBOX). */
  maildir(user: string): string;
  log(): Promise<string>;
  /** Stops Dovecot (SIGTERM to the master by its PID, SIGKILL after a timeout); keeps the files,
   *  so a test can read the Maildir it left. Idempotent. */
  stop(): Promise<void>;
  /** stop() and remove the temp dir. */
  remove(): Promise<void>;
}

/** Mail processes and files run as nobody/nogroup. */
export const DOVECOT_MAIL_OWNER = { uid: 65534, gid: 65534 };
const DOVECOT_BIN = "/usr/sbin/dovecot";
const REQUIRED = [
  [DOVECOT_BIN, "dovecot-core"],
  ["/usr/lib/dovecot/imap", "dovecot-imapd"],
  ["/usr/lib/dovecot/lmtp", "dovecot-lmtpd"],
] as const;
const required = process.env.YUBIN_REQUIRE_ALL === "1";

/** false when a private Dovecot can run here, else the reason to skip (under
 *  YUBIN_REQUIRE_ALL=1, an error: CI installs the packages and runs as root). */
export function dovecotSkip(): false | string {
  for (const [path, pkg] of REQUIRED) {
    if (existsSync(path)) continue;
    const reason = `${path} not installed (apt-get install ${pkg})`;
    if (required) throw new Error(`YUBIN_REQUIRE_ALL=1 but ${reason}`);
    return reason;
  }
  if (userInfo().uid !== 0) {
    const reason = "a private Dovecot needs root (its login chroot, the mail uid)";
    if (required) throw new Error(`YUBIN_REQUIRE_ALL=1 but ${reason}`);
    return reason;
  }
  return false;
}

export async function startDovecot(opts: DovecotOptions): Promise<PrivateDovecot> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-dovecot-"));
  await chmod(dir, 0o755); // Dovecot's unprivileged processes must reach base_dir and homes
  await mkdir(join(dir, "home"));
  for (const u of opts.users) {
    if (!/^[\w.@+-]+$/.test(u.name) || u.password.includes("\n") || u.password.includes(":"))
      throw new Error(
        `dovecot test user ${JSON.stringify(u.name)}: name or password unusable in a passwd-file`,
      );
    await mkdir(join(dir, "home", u.name), { recursive: true });
  }
  execFileSync("chown", ["-R", `${DOVECOT_MAIL_OWNER.uid}:${DOVECOT_MAIL_OWNER.gid}`, join(dir, "home")]);
  await writeFile(
    join(dir, "users"),
    opts.users.map((u) => `${u.name}:{PLAIN}${u.password}::::::\n`).join(""),
    { mode: 0o644 },
  );
  const imapPort = await freePort();
  const lmtpPort = await freePort();
  const conf = join(dir, "dovecot.conf");
  await writeFile(
    conf,
    dovecotConfig({ dir, imapPort, lmtpPort, layout: opts.layout, extra: opts.extraConfig }),
  );
  const child = spawn(DOVECOT_BIN, ["-F", "-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 10_000) stderr += d.toString();
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  // A bound for a stuck start, not a speed requirement (a loaded 2-core CI machine is slow).
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const log = () => readFile(join(dir, "dovecot.log"), "utf8").catch(() => "");
  try {
    await waitForGreeting(imapPort, "* OK", exited, timeoutMs);
    await waitForGreeting(lmtpPort, "220", exited, timeoutMs);
  } catch (e) {
    await stopChild(child, 5000);
    const msg = `${(e as Error).message}\n${stderr}\n${(await log()).slice(-2000)}`;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`private Dovecot did not start: ${msg}`);
  }
  const stop = () => stopChild(child, 20_000);
  return {
    dir,
    pid: child.pid ?? -1,
    imapPort,
    lmtpPort,
    maildir: (user) => join(dir, "home", user, "Maildir"),
    log,
    stop,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function dovecotConfig(o: {
  dir: string;
  imapPort: number;
  lmtpPort: number;
  layout?: "maildir++" | "fs";
  extra?: string[];
}): string {
  const { dir } = o;
  const lines = [
    "# Written by src/testing/dovecot.ts; private to one test.",
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    "protocols = imap lmtp",
    "listen = 127.0.0.1",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    `mail_location = maildir:~/Maildir${o.layout === "fs" ? ":LAYOUT=fs" : ""}`,
    // Dovecot's shipped special-use folders (conf.d/15-mailboxes.conf), made and subscribed at
    // first login so that tests see them (and a `subscriptions` file) without creating them.
    "namespace inbox {",
    "  inbox = yes",
    // "/" as IMAP's delimiter in both layouts (Maildir++ still writes `.Archive.2024` on disk).
    "  separator = /",
    "  mailbox Drafts {",
    "    special_use = \\Drafts",
    "    auto = subscribe",
    "  }",
    "  mailbox Junk {",
    "    special_use = \\Junk",
    "    auto = subscribe",
    "  }",
    "  mailbox Trash {",
    "    special_use = \\Trash",
    "    auto = subscribe",
    "  }",
    "  mailbox Sent {",
    "    special_use = \\Sent",
    "    auto = subscribe",
    "  }",
    "}",
    "passdb {",
    "  driver = passwd-file",
    `  args = ${dir}/users`,
    "}",
    "userdb {",
    "  driver = static",
    `  args = uid=${DOVECOT_MAIL_OWNER.uid} gid=${DOVECOT_MAIL_OWNER.gid} home=${dir}/home/%u`,
    "}",
    "service imap-login {",
    "  inet_listener imap {",
    "    address = 127.0.0.1",
    `    port = ${o.imapPort}`,
    "  }",
    "  inet_listener imaps {",
    "    port = 0",
    "  }",
    "}",
    "service lmtp {",
    "  inet_listener lmtp {",
    "    address = 127.0.0.1",
    `    port = ${o.lmtpPort}`,
    "  }",
    "}",
    "protocol lmtp {",
    "  postmaster_address = postmaster@example.test",
    "}",
    ...(o.extra ?? []),
  ];
  return `${lines.join("\n")}\n`;
}
