// A private Postfix for bench/compare/smtp-vs-postfix.ts: its own config_directory,
// queue_directory, data_directory, mail log and Maildirs under one temp dir, listening on
// 127.0.0.1 only, on a port of our choosing. Never the system service, never /etc/postfix
// (Postfix still reads its postfix-files list from meta_directory there, read-only).
// Mail for bench{n}@example.test goes through Postfix's own `virtual` delivery agent into
// Maildirs (virtual(8) fsyncs each file before it reports the delivery), so "delivered" means
// what Yubin's 250 means: on disk.
import { execFileSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const POSTFIX = "/usr/sbin/postfix";
export const POSTCONF = "/usr/sbin/postconf";
export const VIRTUAL_AGENT = "/usr/lib/postfix/sbin/virtual";
const STOP_TIMEOUT_MS = 15_000;
/** Maildirs and the virtual agent run as nobody/nogroup; Postfix refuses root for deliveries. */
const MAIL_OWNER = { uid: 65534, gid: 65534 };
/** Queue subdirectories that hold a message until it is delivered (or stuck). */
const QUEUES = ["maildrop", "incoming", "active", "deferred", "hold", "corrupt"];

export interface PostfixInstance {
  readonly dir: string;
  readonly port: number;
  readonly configDir: string;
  readonly masterPid: number;
}

export function postfixVersion(): string {
  return execFileSync(POSTCONF, ["-d", "-h", "mail_version"]).toString().trim();
}

function mainCf(dir: string, domain: string): string {
  return [
    "# Written by bench/compare/smtp-postfix.ts; private to this benchmark run.",
    "compatibility_level = 3.6",
    `config_directory = ${dir}/etc`,
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    "myhostname = bench-postfix.example.test",
    `mydomain = ${domain}`,
    "myorigin = $myhostname",
    "mydestination =",
    "inet_interfaces = 127.0.0.1",
    "inet_protocols = ipv4",
    "mynetworks = 127.0.0.0/8",
    // No DNS anywhere: not for the client's name, not for any (never used) outbound relay.
    "smtp_dns_support_level = disabled",
    "smtpd_peername_lookup = no",
    // Its usual logging (as to syslog), to a file of ours through postlogd.
    `maillog_file = ${dir}/maillog`,
    `maillog_file_prefixes = ${dir}`,
    `virtual_mailbox_domains = ${domain}`,
    `virtual_mailbox_base = ${dir}/mail`,
    `virtual_mailbox_maps = texthash:${dir}/etc/vmailbox`,
    `virtual_uid_maps = static:${MAIL_OWNER.uid}`,
    `virtual_gid_maps = static:${MAIL_OWNER.gid}`,
    "alias_maps =",
    "alias_database =",
    "biff = no",
    "",
  ].join("\n");
}

/** Debian's master.cf services minus the optional pipes and TLS, none chrooted (a chroot would
 *  need copies of /etc files under our queue dir), and smtpd on our port only. */
function masterCf(port: number): string {
  const rows = [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    "pickup unix n - n 60 1 pickup",
    "cleanup unix n - n - 0 cleanup",
    "qmgr unix n - n 300 1 qmgr",
    "rewrite unix - - n - - trivial-rewrite",
    "bounce unix - - n - 0 bounce",
    "defer unix - - n - 0 bounce",
    "trace unix - - n - 0 bounce",
    "verify unix - - n - 1 verify",
    "flush unix n - n 1000? 0 flush",
    "proxymap unix - - n - - proxymap",
    "proxywrite unix - - n - 1 proxymap",
    "smtp unix - - n - - smtp",
    "relay unix - - n - - smtp",
    "showq unix n - n - - showq",
    "error unix - - n - - error",
    "retry unix - - n - - error",
    "discard unix - - n - - discard",
    "local unix - n n - - local",
    "virtual unix - n n - - virtual",
    "anvil unix - - n - 1 anvil",
    "scache unix - - n - 1 scache",
    "postlog unix-dgram n - n - 1 postlogd",
  ];
  return `# Written by bench/compare/smtp-postfix.ts\n${rows.join("\n")}\n`;
}

/** Writes the config and starts Postfix; resolves once master.pid names a live master. */
export async function startPostfix(opts: {
  port: number;
  domain: string;
  mailboxes: number;
}): Promise<PostfixInstance> {
  const dir = await mkdtemp(join(tmpdir(), "yubin-postfix-"));
  await chmod(dir, 0o755); // Postfix's unprivileged daemons chdir into the queue below
  const configDir = join(dir, "etc");
  for (const d of ["etc", "queue", "data", "mail"]) await mkdir(join(dir, d));
  const pf = execFileSync("id", ["-u", "postfix"]).toString().trim();
  await chown(join(dir, "data"), Number(pf), 0);
  await chown(join(dir, "mail"), MAIL_OWNER.uid, MAIL_OWNER.gid);
  await writeFile(join(configDir, "main.cf"), mainCf(dir, opts.domain));
  await writeFile(join(configDir, "master.cf"), masterCf(opts.port));
  const users = Array.from(
    { length: opts.mailboxes },
    (_, i) => `bench${i}@${opts.domain} bench${i}/\n`, // trailing "/" = Maildir
  ).join("");
  await writeFile(join(configDir, "vmailbox"), users);
  execFileSync(POSTFIX, ["-c", configDir, "start"], { stdio: ["ignore", "ignore", "inherit"] });
  const masterPid = await readMasterPid(dir);
  if (masterPid === null) {
    await stopPostfix({ dir, port: opts.port, configDir, masterPid: 0 });
    throw new Error(`postfix did not start; see ${dir}/maillog`);
  }
  return { dir, port: opts.port, configDir, masterPid };
}

async function readMasterPid(dir: string): Promise<number | null> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const text = await readFile(join(dir, "queue", "pid", "master.pid"), "utf8").catch(() => "");
    const pid = Number(text.trim());
    if (pid > 0 && alive(pid)) return pid;
    await sleep(50);
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PIDs of this instance's processes: Postfix passes MAIL_CONFIG (our unique config dir) to
 *  master and every daemon it spawns, so this finds ours and nobody else's. */
async function instancePids(configDir: string): Promise<number[]> {
  const mine: number[] = [];
  const needle = `MAIL_CONFIG=${configDir}\0`;
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const env = await readFile(`/proc/${name}/environ`, "latin1").catch(() => "");
    if (env.includes(needle)) mine.push(Number(name));
  }
  return mine;
}

/** `postfix -c DIR stop`, then waits until none of its processes is left; SIGKILLs (by PID,
 *  ours only) whatever outlives STOP_TIMEOUT_MS. Removes the temp dir unless keep is set. */
export async function stopPostfix(pf: PostfixInstance, keep = false): Promise<void> {
  try {
    execFileSync(POSTFIX, ["-c", pf.configDir, "stop"], { stdio: "ignore" });
  } catch {} // not running (start failed): the process scan below still applies
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  let left = await instancePids(pf.configDir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = await instancePids(pf.configDir);
  }
  if (left.length > 0) {
    console.log(`    postfix: ${left.length} processes outlived "postfix stop"; killing ${left.join(" ")}`);
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
  if (!keep) await rm(pf.dir, { recursive: true, force: true });
}

/** Messages still in Postfix's queue (not yet delivered or bounced). */
export async function queuedCount(pf: PostfixInstance): Promise<number> {
  let n = 0;
  for (const q of QUEUES) n += await countFiles(join(pf.dir, "queue", q));
  return n;
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) n += e.isDirectory() ? await countFiles(join(dir, e.name)) : 1;
  return n;
}

/** Files delivered into the Maildirs' new/ folders, and the latest of their mtimes (ms). */
export async function delivered(
  pf: PostfixInstance,
  withTimes = false,
): Promise<{ count: number; lastMs: number }> {
  let count = 0;
  let lastMs = 0;
  for (const box of await readdir(join(pf.dir, "mail")).catch(() => [])) {
    const dir = join(pf.dir, "mail", box, "new");
    const files = await readdir(dir).catch(() => []);
    count += files.length;
    if (withTimes) for (const f of files) lastMs = Math.max(lastMs, (await stat(join(dir, f))).mtimeMs);
  }
  return { count, lastMs };
}

/** Counts of delivered ("status=sent") and troubled (warning/fatal/panic/deferred/bounced)
 *  lines in the instance's mail log, with the first troubled line. */
export async function logSummary(
  pf: PostfixInstance,
): Promise<{ sent: number; problems: number; first: string }> {
  const log = await readFile(join(pf.dir, "maillog"), "utf8").catch(() => "");
  let sent = 0;
  const bad: string[] = [];
  for (const line of log.split("\n")) {
    if (line.includes(" status=sent ")) sent++;
    else if (/(warning|fatal|panic):|status=(deferred|bounced)/.test(line)) bad.push(line);
  }
  return { sent, problems: bad.length, first: bad[0] ?? "" };
}
