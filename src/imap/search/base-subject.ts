// RFC 5256 2.1 base subject: the subject with reply/forward markers and list tags removed, for
// SORT SUBJECT and THREAD. Also says whether anything reply-like was removed (THREAD step 5).
import { decodeHeaderValue } from "../../mime/encoded-word.js";

const TRAILER = /[ \t]*\(fwd\)[ \t]*$/i; // subj-trailer
const BLOB = "\\[[^[\\]]*\\][ \t]*"; // subj-blob
const REFWD = new RegExp(`^[ \\t]*(?:${BLOB})*(?:re|fwd?)[ \\t]*(?:${BLOB})?:[ \\t]*`, "i"); // subj-leader
const LEADING_BLOB = new RegExp(`^[ \\t]*${BLOB}`);
// Every loop below ends: each round either shortens the subject or stops.

export interface BaseSubject {
  base: string;
  isReply: boolean;
}

export function baseSubject(raw: string | null): BaseSubject {
  // Step 1: decode, collapse whitespace runs to one space.
  let s = decodeHeaderValue(raw ?? "")
    .replace(/\r?\n/g, "")
    .replace(/[ \t]+/g, " ");
  let isReply = false;
  for (;;) {
    // Step 2: trailing "(fwd)" and whitespace.
    for (;;) {
      const t = s.replace(TRAILER, "").replace(/[ \t]+$/, "");
      if (t === s) break;
      if (TRAILER.test(s)) isReply = true;
      s = t;
    }
    // Steps 3 and 4: leading "Re:"/"Fwd:" with blobs, and a leading blob if something follows it.
    for (;;) {
      const m = REFWD.exec(s);
      if (m) {
        s = s.slice(m[0].length);
        isReply = true;
        continue;
      }
      const b = LEADING_BLOB.exec(s);
      if (b && s.length > b[0].length) {
        s = s.slice(b[0].length);
        continue;
      }
      break;
    }
    s = s.replace(/^[ \t]+/, "");
    // Step 5: "[fwd: ... ]" wrapping.
    if (/^\[fwd:/i.test(s) && s.endsWith("]")) {
      s = s.slice(5, -1);
      isReply = true;
      continue;
    }
    break;
  }
  return { base: s, isReply };
}

/** i;ascii-casemap: compare with ASCII letters upper-cased (RFC 4790 9.2). */
export function casemap(s: string): string {
  return s.replace(/[a-z]+/g, (x) => x.toUpperCase());
}
