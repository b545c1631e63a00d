// Real POP3 clients against Yubin: Python's poplib, curl (pop3:// with STLS, pop3s://) and
// fetchmail (Debian package "fetchmail") delivering to an MDA script.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { commandSkip } from "../testing/requires.js";
import { deliverTo, inboxOf, message, startPop3TestServer, tricky } from "./test-server.js";

const PASSWORD = "correct horse battery staple";

function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 20000);
    p.stdout.on("data", (d: Buffer) => out.push(d));
    p.stderr.on("data", (d: Buffer) => err.push(d));
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() });
    });
    // A child that exits without reading its stdin must not fail the test with EPIPE.
    p.stdin.on("error", () => {});
    p.stdin.end(opts.input ?? "");
  });
}

// Python: CAPA after TLS (STLS or implicit), log in, then STAT, LIST, UIDL, TOP 1 0, RETR all, DELE 1, QUIT.
const poplibScript = String.raw`
import base64, json, poplib, ssl, sys
a = json.load(sys.stdin)
poplib._MAXLINE = 65536  # poplib refuses lines over 2048 octets; the test message has a 5,000-octet line
ctx = ssl.create_default_context(cafile=a["cafile"])
if a["mode"] == "ssl":
    p = poplib.POP3_SSL("127.0.0.1", a["port"], context=ctx, timeout=10)
else:
    p = poplib.POP3("127.0.0.1", a["port"], timeout=10)
    p.stls(context=ctx)
capa = sorted(p.capa().keys())
p.user(a["user"]); p.pass_(a["pass"])
out = {"stat": list(p.stat()), "list": [l.decode() for l in p.list()[1]],
       "uidl": [l.decode() for l in p.uidl()[1]], "capa": capa}
out["top"] = base64.b64encode(b"\r\n".join(p.top(1, 0)[1])).decode()
msgs = []
for i in range(1, out["stat"][0] + 1):
    resp, lines, octets = p.retr(i)
    msgs.append({"resp": resp.decode(), "octets": octets,
                 "body": base64.b64encode(b"\r\n".join(lines) + b"\r\n").decode()})
out["retr"] = msgs
if a.get("dele"): p.dele(1)
p.quit()
print(json.dumps(out))
`;

describe("real POP3 clients", () => {
  let server: TestServer;
  let work: string;
  let certFile: string;
  const users = ["py1", "py2", "curl1", "curl2", "fm1", "fm2"].map((n) => ({
    address: `${n}@example.test`,
    password: PASSWORD,
  }));
  const user = (n: string) => server.users.find((u) => u.address === `${n}@example.test`)!;

  before(async () => {
    server = await startPop3TestServer({ users });
    work = await mkdtemp(join(tmpdir(), "yubin-pop3-clients-"));
    certFile = join(work, "cert.pem");
    await writeFile(certFile, server.certPem);
  });
  after(async () => {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function poplib(port: number, mode: "ssl" | "stls", address: string, dele = false) {
    const r = await run("python3", ["-c", poplibScript], {
      input: JSON.stringify({ port, mode, cafile: certFile, user: address, pass: PASSWORD, dele }),
    });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.toString()) as {
      stat: [number, number];
      list: string[];
      uidl: string[];
      capa: string[];
      top: string;
      retr: { resp: string; octets: number; body: string }[]; // octets: poplib's count, un-stuffed
    };
  }

  test("poplib over implicit TLS: byte-exact RETR, TOP, LIST sizes, DELE+QUIT", {
    skip: commandSkip("python3"),
  }, async () => {
    const u = user("py1");
    const plain = message("plain one");
    // No final CRLF: RETR adds one, and the size counts it (the client receives it).
    const unended = message("unended", ["last line without CRLF"]).subarray(0, -2);
    await deliverTo(server, u.id, tricky);
    await deliverTo(server, u.id, plain);
    await deliverTo(server, u.id, unended);
    const out = await poplib(server.ports.pop3s, "ssl", u.address, true);
    assert.equal(out.stat[0], 3);
    assert.deepEqual(Buffer.from(out.retr[0]!.body, "base64"), tricky);
    assert.deepEqual(Buffer.from(out.retr[1]!.body, "base64"), plain);
    assert.deepEqual(Buffer.from(out.retr[2]!.body, "base64"), Buffer.concat([unended, Buffer.from("\r\n")]));
    // RFC 1939 §11: LIST gives the message's own size, not the dot-stuffed one (`tricky` has
    // three lines starting with "."), i.e. exactly what poplib counts after un-stuffing.
    const sizes = out.list.map((l) => Number(l.split(" ")[1]));
    assert.deepEqual(out.list, [`1 ${tricky.length}`, `2 ${plain.length}`, `3 ${unended.length + 2}`]);
    assert.deepEqual(
      sizes,
      out.retr.map((r) => r.octets),
    );
    assert.deepEqual(out.stat, [3, tricky.length + plain.length + unended.length + 2]);
    assert.equal(out.retr[0]!.resp, `+OK ${tricky.length} octets`);
    const headerEnd = tricky.indexOf("\r\n\r\n");
    assert.deepEqual(Buffer.from(out.top, "base64"), tricky.subarray(0, headerEnd + 2));
    assert.ok(out.capa.includes("TOP") && out.capa.includes("UIDL") && out.capa.includes("SASL"));
    const left = await server.store.mail.listMessages(await inboxOf(server, u.id));
    assert.equal(left.length, 2);
  });

  test("poplib with STLS on the plain port; UIDL stable across sessions", {
    skip: commandSkip("python3"),
  }, async () => {
    const u = user("py2");
    await deliverTo(server, u.id, message("s1"));
    await deliverTo(server, u.id, message("s2"));
    const a = await poplib(server.ports.pop3, "stls", u.address);
    const b = await poplib(server.ports.pop3, "stls", u.address);
    assert.equal(a.uidl.length, 2);
    assert.deepEqual(a.uidl, b.uidl);
    assert.ok(!a.capa.includes("STLS"), "STLS not listed after TLS");
  });

  test("curl pop3s:// and pop3:// --ssl-reqd: listing, UIDL, byte-exact RETR, DELE", {
    skip: commandSkip("curl"),
  }, async () => {
    const u = user("curl1");
    await deliverTo(server, u.id, message("c1"));
    await deliverTo(server, u.id, tricky);
    const auth = ["--cacert", certFile, "-sS", "-u", `${u.address}:${PASSWORD}`];
    const s = `pop3s://127.0.0.1:${server.ports.pop3s}`;
    const listing = await run("curl", [...auth, `${s}/`]);
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout.toString(), new RegExp(`^1 \\d+\\r\\n2 ${tricky.length}\\r\\n$`));
    const retr = await run("curl", [...auth, `${s}/2`]);
    assert.deepEqual(retr.stdout, tricky);
    const stls = await run("curl", [...auth, "--ssl-reqd", `pop3://127.0.0.1:${server.ports.pop3}/2`]);
    assert.equal(stls.code, 0, stls.stderr);
    assert.deepEqual(stls.stdout, tricky);
    const uidl = await run("curl", [...auth, "-X", "UIDL", `${s}/`]);
    const box = await server.store.mail.getMailbox(u.id, "INBOX");
    const uids = (await server.store.mail.listMessages(box!.id)).map((m) => m.uid);
    assert.equal(
      uidl.stdout.toString(),
      `1 ${box!.uidValidity}.${uids[0]}\r\n2 ${box!.uidValidity}.${uids[1]}\r\n`,
    );
    const dele = await run("curl", [...auth, "-X", "DELE", "-I", `${s}/1`]);
    assert.equal(dele.code, 0, dele.stderr);
    assert.deepEqual(
      (await server.store.mail.listMessages(box!.id)).map((m) => m.uid),
      [uids[1]],
    );
  });

  test("curl without TLS on the plain port is not allowed to log in", {
    skip: commandSkip("curl"),
  }, async () => {
    const u = user("curl2");
    const r = await run("curl", [
      "-sS",
      "-u",
      `${u.address}:${PASSWORD}`,
      `pop3://127.0.0.1:${server.ports.pop3}/`,
    ]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout.length, 0);
  });

  async function fetchmail(opts: {
    port: number;
    ssl: boolean;
    keep: boolean;
    address: string;
    dir: string;
  }) {
    const out = join(opts.dir, "out");
    const mda = join(opts.dir, "mda.sh");
    await run("mkdir", ["-p", out]);
    await writeFile(mda, `#!/bin/sh\ncat > "${out}/msg.$$.$(date +%s%N)"\n`);
    await chmod(mda, 0o755);
    const rc = join(opts.dir, "fetchmailrc");
    await writeFile(
      rc,
      [
        "set no syslog",
        `poll yubin via 127.0.0.1 service ${opts.port} protocol pop3 uidl`,
        `  user "${opts.address}" password "${PASSWORD}"`,
        `  ${opts.ssl ? "ssl" : 'sslproto "tls1.2+"'} sslcertck sslcertfile "${certFile}" sslcommonname "mail.example.test"`,
        `  mda "${mda}" ${opts.keep ? "keep" : "nokeep fetchall"}`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const r = await run(
      "fetchmail",
      ["-f", rc, "-i", join(opts.dir, "ids"), "--pidfile", join(opts.dir, "pid"), "--nosyslog"],
      { env: { ...process.env, HOME: opts.dir, FETCHMAILHOME: opts.dir } },
    );
    // 0: mail fetched, 1: no new mail.
    assert.ok(r.code === 0 || r.code === 1, `fetchmail exit ${r.code}: ${r.stderr}`);
    const files = (await readdir(out)).sort();
    return Promise.all(files.map((f) => readFile(join(out, f), "latin1")));
  }

  test("fetchmail over STLS keeps and fetches only new mail by UIDL, then fetches all over TLS and deletes", {
    skip: commandSkip("fetchmail"),
  }, async () => {
    const u = user("fm1");
    const dir = await mkdtemp(join(work, "fm-"));
    for (const s of ["f1", "f2", "f3"]) await deliverTo(server, u.id, message(s));
    const first = await fetchmail({
      port: server.ports.pop3,
      ssl: false,
      keep: true,
      address: u.address,
      dir,
    });
    assert.equal(first.length, 3);
    for (const s of ["f4", "f5"]) await deliverTo(server, u.id, message(s));
    const second = await fetchmail({
      port: server.ports.pop3,
      ssl: false,
      keep: true,
      address: u.address,
      dir,
    });
    assert.equal(second.length, 5, "only the two new messages are fetched");
    const subjects = second.map((m) => /^Subject: (.*)$/m.exec(m)?.[1]).sort();
    assert.deepEqual(subjects, ["f1", "f2", "f3", "f4", "f5"]);
    const box = await inboxOf(server, u.id);
    assert.equal((await server.store.mail.listMessages(box)).length, 5);
    const third = await fetchmail({
      port: server.ports.pop3s,
      ssl: true,
      keep: false,
      address: u.address,
      dir,
    });
    assert.equal(third.length, 10);
    assert.equal((await server.store.mail.listMessages(box)).length, 0);
  });

  test("fetchmail receives the tricky message intact (line for line)", {
    skip: commandSkip("fetchmail"),
  }, async () => {
    const u = user("fm2");
    const dir = await mkdtemp(join(work, "fm-"));
    await deliverTo(server, u.id, tricky);
    const [got] = await fetchmail({
      port: server.ports.pop3s,
      ssl: true,
      keep: true,
      address: u.address,
      dir,
    });
    // fetchmail prepends its Received header and hands the MDA LF line ends.
    const want = tricky.toString("latin1").replace(/\r\n/g, "\n");
    assert.ok(got?.endsWith(want), "message body differs");
  });
});
