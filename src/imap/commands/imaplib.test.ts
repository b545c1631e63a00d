// A second real client: Python's imaplib (python3 must be installed; Debian package python3),
// over STARTTLS and implicit TLS. The script prints each response; the test checks them exactly.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { type ImapTestServer, PASSWORD, startImapTestServer } from "../test-server.js";

const SCRIPT = String.raw`
import imaplib, json, os, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
mode = os.environ["MODE"]
port = int(os.environ["PORT"])
out = []
def show(label, r):
    typ, data = r
    items = []
    for d in data:
        if isinstance(d, tuple):
            items.append([x.decode("utf-8", "replace") for x in d])
        elif d is None:
            items.append(None)
        else:
            items.append(d.decode("utf-8", "replace"))
    out.append([label, typ, items])
if mode == "starttls":
    M = imaplib.IMAP4("127.0.0.1", port)
    out.append(["caps-before", sorted(c for c in M.capabilities if c in ("STARTTLS", "LOGINDISABLED", "AUTH=PLAIN"))])
    show("starttls", M.starttls(ssl_context=ctx))
else:
    M = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
show("login", M.login(os.environ["USER"], os.environ["PASS"]))
show("create", M.create("Py"))
show("list", M.list('""', "Py*"))
msg = b"From: py@example.test\r\nSubject: from python\r\n\r\nhello imaplib\r\n"
show("append", M.append("Py", r"(\Flagged)", imaplib.Time2Internaldate(1700000000), msg))
show("select", M.select("Py"))
show("fetch", M.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.SIZE)"))
show("store", M.store("1", "+FLAGS", r"(\Seen)"))
show("search", M.search(None, "SUBJECT", '"python"', "SEEN"))
show("uid-search", M.uid("SEARCH", "ALL"))
show("copy", M.copy("1", "INBOX"))
show("store-del", M.store("1", "+FLAGS.SILENT", r"(\Deleted)"))
show("expunge", M.expunge())
show("status", M.status("Py", "(MESSAGES UIDNEXT)"))
show("select-nope", M.select("Nope"))
show("logout", M.logout())
print(json.dumps(out))
`;

/** Asynchronous spawn: the server runs in this same process and must keep answering. */
function runClient(env: Record<string, string>): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", SCRIPT], { env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => p.kill(), 20000);
    p.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python3 exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as unknown[]);
    });
  });
}

describe("Python imaplib client", () => {
  let t: ImapTestServer;
  before(async () => {
    t = await startImapTestServer();
  });
  after(async () => {
    await t.stop();
  });

  for (const mode of ["starttls", "implicit"] as const) {
    test(`full session over ${mode}`, async () => {
      const user = mode === "starttls" ? "alice@example.test" : "bob@example.test";
      const uid = t.server.users.find((u) => u.address === user)!.id;
      const result = await runClient({ MODE: mode, PORT: String(t.port[mode]), USER: user, PASS: PASSWORD });
      const py = await t.server.store.mail.getMailbox(uid, "Py");
      const inbox = await t.server.store.mail.getMailbox(uid, "INBOX");
      const size = 62; // the message above, CRLF line ends
      const expected: unknown[] = [
        [
          "login",
          "OK",
          [
            "[CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MULTIAPPEND BINARY MOVE CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CONDSTORE QRESYNC ESEARCH SEARCHRES SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES STATUS=SIZE APPENDLIMIT=52428800 UTF8=ACCEPT QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE OBJECTID SAVEDATE COMPRESS=DEFLATE] Logged in",
          ],
        ],
        ["create", "OK", [`[MAILBOXID (F${py!.id})] CREATE completed`]],
        ["list", "OK", ['(\\HasNoChildren) "/" "Py"']],
        ["append", "OK", [`[APPENDUID ${py!.uidValidity} 1] APPEND completed`]],
        ["select", "OK", ["1"]],
        [
          "fetch",
          "OK",
          [
            // \Recent: this session is the first to see the message (RFC 3501 2.3.2).
            [
              "1 (FLAGS (\\Flagged \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {24}",
              "Subject: from python\r\n\r\n",
            ],
            ` RFC822.SIZE ${size})`,
          ],
        ],
        ["store", "OK", ["1 (FLAGS (\\Seen \\Flagged \\Recent))"]],
        ["search", "OK", ["1"]],
        ["uid-search", "OK", ["1"]],
        ["copy", "OK", [`[COPYUID ${inbox!.uidValidity} 1 1] COPY completed`]],
        ["store-del", "OK", [null]],
        ["expunge", "OK", ["1"]],
        ["status", "OK", ['"Py" (MESSAGES 0 UIDNEXT 2)']],
        ["select-nope", "NO", ["[NONEXISTENT] No such mailbox"]],
        ["logout", "BYE", ["Logging out"]],
      ];
      if (mode === "starttls")
        expected.unshift(["caps-before", ["LOGINDISABLED", "STARTTLS"]], ["starttls", "OK", [null]]);
      assert.deepEqual(result, expected);
    });
  }
});
