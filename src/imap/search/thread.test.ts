import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SortRecord } from "./sort.js";
import { formatThreads, orderedSubject, references } from "./thread.js";

let nextUid = 1;
function rec(p: {
  id?: string;
  refs?: string[];
  subject?: string;
  reply?: boolean;
  sent?: number;
}): SortRecord {
  const uid = nextUid++;
  return {
    uid,
    size: 0,
    arrival: 0,
    sent: p.sent ?? uid,
    subject: p.subject ?? `S${uid}`,
    rawBase: p.subject ?? `S${uid}`,
    isReply: p.reply ?? false,
    from: "",
    to: "",
    cc: "",
    displayFrom: "",
    displayTo: "",
    messageId: p.id ?? null,
    references: p.refs ?? [],
  };
}

describe("THREAD=REFERENCES (RFC 5256 2.2)", () => {
  const fmt = (rs: SortRecord[]) => formatThreads(references(rs), (r) => r.uid - rs[0]!.uid + 1);

  test("chains, branches and a dummy root with several children", () => {
    const rs = [
      rec({ id: "<1>" }),
      rec({ id: "<2>", refs: ["<1>"] }),
      rec({ id: "<3>", refs: ["<1>", "<2>"] }),
      rec({ id: "<4>", refs: ["<1>"] }),
      rec({ id: "<5>", refs: ["<gone>"] }),
      rec({ id: "<6>", refs: ["<gone>"] }),
    ];
    assert.equal(fmt(rs), "(1 (2 3)(4))((5)(6))");
  });

  test("reference loops, duplicate and missing Message-IDs do not hang or lose messages", () => {
    const rs = [
      rec({ id: "<a>", refs: ["<b>"] }),
      rec({ id: "<b>", refs: ["<a>"] }),
      rec({ id: "<a>" }),
      rec({}),
      rec({ refs: ["<x>", "<y>", "<x>"] }),
    ];
    const out = fmt(rs);
    assert.deepEqual(out.match(/\d+/g)!.map(Number).sort(), [1, 2, 3, 4, 5]);
  });

  test("threads with the same base subject merge; a reply goes under the original", () => {
    const rs = [
      rec({ subject: "X", sent: 1 }),
      rec({ subject: "X", reply: true, sent: 2 }),
      rec({ subject: "X", sent: 3 }),
    ];
    assert.equal(fmt(rs), "((1 2)(3))");
  });
});

describe("THREAD=ORDEREDSUBJECT (RFC 5256 2.1)", () => {
  test("one thread per base subject, ordered by first date", () => {
    const rs = [
      rec({ subject: "B", sent: 5 }),
      rec({ subject: "A", sent: 9 }),
      rec({ subject: "B", sent: 1 }),
      rec({ subject: "B", sent: 7 }),
    ];
    assert.equal(
      formatThreads(orderedSubject(rs), (r) => r.uid - rs[0]!.uid + 1),
      "(3 (1)(4))(2)",
    );
  });
});
