import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Command, CommandSyntaxError, parseCommand } from "./command.js";
import type { Frame } from "./reader.js";

const opts = { maxDepth: 4, utf8: false };

/** Builds a frame the way the reader would: "{n}" ends a text segment, the literal follows. */
function frame(...parts: (string | Buffer)[]): Frame {
  return {
    segments: parts.map((p) =>
      typeof p === "string"
        ? { kind: "text" as const, data: Buffer.from(p) }
        : { kind: "literal" as const, data: p },
    ),
  };
}

const parse = (line: string, o = opts): Command => parseCommand(frame(line), o);

describe("parseCommand", () => {
  const ok: [string, Command][] = [
    ["a1 NOOP", { tag: "a1", name: "NOOP" }],
    ["a1 noop", { tag: "a1", name: "NOOP" }],
    ['a LOGIN alice "pass word"', { tag: "a", name: "LOGIN", user: "alice", password: "pass word" }],
    ['a LOGIN "a\\"b" "c\\\\d"', { tag: "a", name: "LOGIN", user: 'a"b', password: "c\\d" }],
    [
      "a AUTHENTICATE plain AGFsaWNlAHB3",
      { tag: "a", name: "AUTHENTICATE", mechanism: "PLAIN", initial: "AGFsaWNlAHB3" },
    ],
    ["a AUTHENTICATE PLAIN", { tag: "a", name: "AUTHENTICATE", mechanism: "PLAIN", initial: null }],
    ["a SELECT inbox", { tag: "a", name: "SELECT", mailbox: "INBOX", condstore: false, qresync: null }],
    [
      "a EXAMINE Inbox/Sub (CONDSTORE)",
      { tag: "a", name: "EXAMINE", mailbox: "INBOX/Sub", condstore: true, qresync: null },
    ],
    [
      "a SELECT INBOX (QRESYNC (67890007 715194045000 41,43:211,214:541 (1:3 5:7)))",
      {
        tag: "a",
        name: "SELECT",
        mailbox: "INBOX",
        condstore: false,
        qresync: {
          uidValidity: 67890007,
          modseq: 715194045000,
          knownUids: {
            kind: "ranges",
            ranges: [
              [41, 41],
              [43, 211],
              [214, 541],
            ],
          },
        },
      },
    ],
    [
      "a SELECT INBOX (QRESYNC (1 2))",
      {
        tag: "a",
        name: "SELECT",
        mailbox: "INBOX",
        condstore: false,
        qresync: { uidValidity: 1, modseq: 2, knownUids: null },
      },
    ],
    ['a CREATE "&ZeVnLIqe-"', { tag: "a", name: "CREATE", mailbox: "日本語" }],
    // Not valid modified UTF-7: a name all the same, marked so that it names no mailbox.
    ["a SELECT &Jjo", { tag: "a", name: "SELECT", mailbox: "\0&Jjo", condstore: false, qresync: null }],
    ['a LIST "" &Jjo%', { tag: "a", name: "LIST", reference: "", patterns: ["&Jjo%"], options: null }],
    ["a RENAME a b", { tag: "a", name: "RENAME", from: "a", to: "b" }],
    ['a LIST "" *', { tag: "a", name: "LIST", reference: "", patterns: ["*"], options: null }],
    ["a LSUB foo/ %", { tag: "a", name: "LSUB", reference: "foo/", patterns: ["%"], options: null }],
    [
      'a LIST (SUBSCRIBED RECURSIVEMATCH) "" (INBOX* "Sent") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))',
      {
        tag: "a",
        name: "LIST",
        reference: "",
        patterns: ["INBOX*", "Sent"],
        options: {
          subscribed: true,
          remote: false,
          recursiveMatch: true,
          specialUse: false,
          returnChildren: true,
          returnSubscribed: false,
          returnSpecialUse: false,
          status: ["MESSAGES", "UNSEEN"],
        },
      },
    ],
    [
      "a STATUS INBOX (MESSAGES UIDNEXT size)",
      { tag: "a", name: "STATUS", mailbox: "INBOX", items: ["MESSAGES", "UIDNEXT", "SIZE"] },
    ],
    [
      "a FETCH 1:3,5,* (FLAGS BODY.PEEK[1.HEADER.FIELDS (Subject From)]<0.100>)",
      {
        tag: "a",
        name: "FETCH",
        uid: false,
        set: {
          kind: "ranges",
          ranges: [
            [1, 3],
            [5, 5],
            [-1, -1],
          ],
        },
        atts: [
          { kind: "FLAGS" },
          {
            kind: "section",
            peek: true,
            section: { part: [1], spec: "HEADER.FIELDS", fields: ["SUBJECT", "FROM"] },
            partial: { start: 0, length: 100 },
          },
        ],
        changedSince: null,
        vanished: false,
      },
    ],
    [
      "a UID FETCH 1:* FAST (CHANGEDSINCE 12)",
      {
        tag: "a",
        name: "FETCH",
        uid: true,
        set: { kind: "ranges", ranges: [[1, -1]] },
        atts: [{ kind: "FLAGS" }, { kind: "INTERNALDATE" }, { kind: "RFC822.SIZE" }],
        changedSince: 12,
        vanished: false,
      },
    ],
    [
      "a FETCH $ BODY[]",
      {
        tag: "a",
        name: "FETCH",
        uid: false,
        set: { kind: "saved" },
        atts: [
          { kind: "section", peek: false, section: { part: [], spec: null, fields: [] }, partial: null },
        ],
        changedSince: null,
        vanished: false,
      },
    ],
    [
      "a STORE 1 +FLAGS.SILENT (\\Seen foo)",
      {
        tag: "a",
        name: "STORE",
        uid: false,
        set: { kind: "ranges", ranges: [[1, 1]] },
        mode: "add",
        silent: true,
        flags: ["\\Seen", "foo"],
        unchangedSince: null,
      },
    ],
    [
      "a UID STORE 2 (UNCHANGEDSINCE 5) -FLAGS \\Deleted",
      {
        tag: "a",
        name: "STORE",
        uid: true,
        set: { kind: "ranges", ranges: [[2, 2]] },
        mode: "remove",
        silent: false,
        flags: ["\\Deleted"],
        unchangedSince: 5,
      },
    ],
    ["a UID EXPUNGE 4:5", { tag: "a", name: "EXPUNGE", uids: { kind: "ranges", ranges: [[4, 5]] } }],
    ["a EXPUNGE", { tag: "a", name: "EXPUNGE", uids: null }],
    [
      "a UID MOVE 1 Trash",
      { tag: "a", name: "MOVE", uid: true, set: { kind: "ranges", ranges: [[1, 1]] }, mailbox: "Trash" },
    ],
    [
      'a ID ("name" "x" "version" NIL)',
      {
        tag: "a",
        name: "ID",
        params: [
          ["name", "x"],
          ["version", null],
        ],
      },
    ],
    ["a ID NIL", { tag: "a", name: "ID", params: null }],
    [
      "a ENABLE condstore utf8=accept",
      { tag: "a", name: "ENABLE", capabilities: ["CONDSTORE", "UTF8=ACCEPT"] },
    ],
    [
      "a SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR SEEN NOT (FROM bob 1:2) UID 3:*",
      {
        tag: "a",
        name: "SEARCH",
        uid: false,
        args: {
          returns: ["MIN", "COUNT"],
          charset: "UTF-8",
          key: {
            k: "and",
            keys: [
              {
                k: "or",
                a: { k: "flag", flag: "\\Seen", set: true },
                b: {
                  k: "not",
                  key: {
                    k: "and",
                    keys: [
                      { k: "header", field: "FROM", value: "bob" },
                      { k: "seq", set: { kind: "ranges", ranges: [[1, 2]] } },
                    ],
                  },
                },
              },
              { k: "uid", set: { kind: "ranges", ranges: [[3, -1]] } },
            ],
          },
        },
      },
    ],
    [
      'a SEARCH SINCE 1-Feb-2024 header "X-Spam" ""',
      {
        tag: "a",
        name: "SEARCH",
        uid: false,
        args: {
          returns: null,
          charset: null,
          key: {
            k: "and",
            keys: [
              { k: "date", which: "internal", op: "since", date: new Date(Date.UTC(2024, 1, 1)) },
              { k: "header", field: "X-SPAM", value: "" },
            ],
          },
        },
      },
    ],
    ["a compress deflate", { tag: "a", name: "COMPRESS", mechanism: "DEFLATE" }],
    [
      "a STATUS INBOX (MAILBOXID DELETED)",
      { tag: "a", name: "STATUS", mailbox: "INBOX", items: ["MAILBOXID", "DELETED"] },
    ],
    [
      "a UID FETCH 1 (EMAILID THREADID SAVEDATE)",
      {
        tag: "a",
        name: "FETCH",
        uid: true,
        set: { kind: "ranges", ranges: [[1, 1]] },
        atts: [{ kind: "EMAILID" }, { kind: "THREADID" }, { kind: "SAVEDATE" }],
        changedSince: null,
        vanished: false,
      },
    ],
    [
      "a SEARCH EMAILID M12 THREADID T-_9 SAVEDON 2-Mar-2024 SAVEDATESUPPORTED NOT OLD RECENT",
      {
        tag: "a",
        name: "SEARCH",
        uid: false,
        args: {
          returns: null,
          charset: null,
          key: {
            k: "and",
            keys: [
              { k: "emailid", id: "M12" },
              { k: "threadid", id: "T-_9" },
              { k: "date", which: "saved", op: "on", date: new Date(Date.UTC(2024, 2, 2)) },
              { k: "all" },
              { k: "not", key: { k: "recent", set: false } },
              { k: "recent", set: true },
            ],
          },
        },
      },
    ],
  ];
  for (const [line, expected] of ok) {
    test(line, () => assert.deepEqual(parse(line), expected));
  }

  test("APPEND with flags, date and a literal", () => {
    const msg = Buffer.from("Subject: hi\r\n\r\nbody\r\n");
    const cmd = parseCommand(
      frame('a APPEND Drafts (\\Draft) "05-Jan-2024 10:00:00 +0100" {21}', msg, ""),
      opts,
    );
    assert.deepEqual(cmd, {
      tag: "a",
      name: "APPEND",
      mailbox: "Drafts",
      messages: [{ flags: ["\\Draft"], date: new Date(Date.UTC(2024, 0, 5, 9, 0, 0)), message: msg }],
    });
  });

  test("MULTIAPPEND: several messages, bounded by maxAppendMessages", () => {
    const a = Buffer.from("Subject: a\r\n\r\nA\r\n");
    const b = Buffer.from("Subject: b\r\n\r\nB\r\n");
    const f = frame("a APPEND Box {17}", a, " (\\Seen) ~{17}", b, "");
    assert.deepEqual(parseCommand(f, { ...opts, maxAppendMessages: 2 }), {
      tag: "a",
      name: "APPEND",
      mailbox: "Box",
      messages: [
        { flags: [], date: null, message: a },
        // literal8: flagged, APPEND re-encodes any binary part (RFC 3516 4.4).
        { flags: ["\\Seen"], date: null, message: b, binary: true },
      ],
    });
    assert.throws(
      () => parseCommand(f, { ...opts, maxAppendMessages: 1 }),
      (e: unknown) => e instanceof CommandSyntaxError && e.message === "Too many messages in one APPEND",
    );
  });

  test("BINARY fetch items (RFC 3516)", () => {
    assert.deepEqual(parse("a FETCH 1 (BINARY[1.2]<0.10> BINARY.PEEK[] BINARY.SIZE[3])"), {
      tag: "a",
      name: "FETCH",
      uid: false,
      set: { kind: "ranges", ranges: [[1, 1]] },
      atts: [
        { kind: "binary", peek: false, part: [1, 2], partial: { start: 0, length: 10 } },
        { kind: "binary", peek: true, part: [], partial: null },
        { kind: "binary.size", part: [3] },
      ],
      changedSince: null,
      vanished: false,
    });
    assert.throws(() => parse("a FETCH 1 BINARY[1.TEXT]"), CommandSyntaxError);
  });

  test("literal as a LOGIN argument", () => {
    const cmd = parseCommand(
      frame("a LOGIN {5}", Buffer.from("alice"), " {3+}", Buffer.from("p w"), ""),
      opts,
    );
    assert.deepEqual(cmd, { tag: "a", name: "LOGIN", user: "alice", password: "p w" });
  });

  test("UTF-8 mailbox names when enabled", () => {
    assert.deepEqual(parse('a SELECT "Größe"', { maxDepth: 4, utf8: true }), {
      tag: "a",
      name: "SELECT",
      mailbox: "Größe",
      condstore: false,
      qresync: null,
    });
  });

  const bad: [string, string | null, string][] = [
    ["", null, "Missing or invalid tag"],
    ["+ NOOP", null, "Missing or invalid tag"],
    ["a", "a", "Expected a space"],
    ["a FOO", "a", "Unknown command FOO"],
    ["a NOOP x", "a", "Unexpected extra arguments"],
    ["a LOGIN alice", "a", "Expected a space"],
    ['a LOGIN "alice', "a", "Unterminated quoted string"],
    ["a UID NOOP", "a", "UID NOOP is not a command"],
    ["a FETCH 0 FLAGS", "a", "Expected a non-zero number"],
    ["a FETCH 1 (FLAGS BOGUS)", "a", "Unknown fetch item BOGUS"],
    ["a FETCH 1 BODY[9.FOO]", "a", "Bad section FOO"],
    ["a SEARCH ((((((SEEN))))))", "a", "Too deeply nested"],
    ["a SEARCH NOT NOT NOT NOT NOT SEEN", "a", "Too deeply nested"],
    ["a SEARCH FROB", "a", "Unknown search key FROB"],
    ["a STATUS INBOX (BOGUS)", "a", "Unknown status item BOGUS"],
    ["a STORE 1 FLAGZ (x)", "a", "Bad STORE item"],
    ["a ENABLE", "a", "ENABLE needs a capability"],
    ["a COMPRESS", "a", "Expected a space"],
    ["a COMPRESS DEFLATE X", "a", "Unexpected extra arguments"],
    ["a SEARCH EMAILID", "a", "Expected a space"],
    ["a FETCH 99999999999 FLAGS", "a", "Number too large"],
    ["a UID FETCH 1 FLAGS (VANISHED)", "a", "VANISHED needs CHANGEDSINCE"],
    ['a LIST (RECURSIVEMATCH) "" *', "a", "RECURSIVEMATCH needs another selection option"],
    ['a LIST (BOGUS) "" *', "a", "Unknown LIST selection option BOGUS"],
    ['a LIST "" * RETURN (BOGUS)', "a", "Unknown LIST return option BOGUS"],
    ['a LIST "" * FOO (CHILDREN)', "a", "Expected RETURN"],
  ];
  for (const [line, tag, message] of bad) {
    test(`BAD: ${JSON.stringify(line)}`, () => {
      assert.throws(
        () => parse(line),
        (e: unknown) => e instanceof CommandSyntaxError && e.tag === tag && e.message === message,
      );
    });
  }
});
