// SORT/THREAD base subject (src/imap/search/base-subject.ts, RFC 5256 2.1): the linear version
// against the regex version it replaced (base-subject-reference.ts). Same base, same isReply.
import { baseSubject } from "../../imap/search/base-subject.js";
import { check, type FuzzTarget } from "../target.js";
import { referenceBaseSubject } from "./base-subject-reference.js";

export const baseSubjectTarget: FuzzTarget = {
  name: "base-subject",
  coverage: ["src/imap/search/base-subject.ts"],
  dictionary: [
    "Re:",
    "re :",
    "Fwd:",
    "FW:",
    "[fwd:",
    "]",
    "[",
    "[list]",
    "(fwd)",
    " ",
    "\t",
    "\r\n ",
    "=?utf-8?q?Re:?=",
    "=?utf-8?b?",
    "?=",
  ],
  maxLength: 1024,
  run(input) {
    const raw = input.toString("latin1");
    const got = baseSubject(raw);
    const want = referenceBaseSubject(raw);
    check(
      got.base === want.base && got.isReply === want.isReply,
      `base subject of ${JSON.stringify(raw)}: ${JSON.stringify(got)}, reference ${JSON.stringify(want)}`,
    );
  },
};
