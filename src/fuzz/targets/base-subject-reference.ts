// The RFC 5256 2.1 base-subject extraction as it was written before issue 18 (regexes re-run per
// layer, quadratic on hostile subjects), kept as the reference the linear version is fuzzed
// against: short inputs only (the target caps them at 1 KiB), so its cost does not matter here.
// It reads almost like the RFC's ABNF, which is what makes it a good oracle.
import { decodeHeaderValue } from "../../mime/encoded-word.js";

// eslint-disable-next-line regexp/no-super-linear-move -- reference only, inputs under 1 KiB
const TRAILER = /[ \t]*\(fwd\)[ \t]*$/i; // subj-trailer
const BLOB = "\\[[^[\\]]*\\][ \t]*"; // subj-blob
// eslint-disable-next-line no-restricted-syntax -- fixed pattern, reference only
const REFWD = new RegExp(`^[ \\t]*(?:${BLOB})*(?:re|fwd?)[ \\t]*(?:${BLOB})?:[ \\t]*`, "i"); // subj-leader
// eslint-disable-next-line no-restricted-syntax -- fixed pattern, reference only
const LEADING_BLOB = new RegExp(`^[ \\t]*${BLOB}`);

export function referenceBaseSubject(raw: string): { base: string; isReply: boolean } {
  let s = decodeHeaderValue(raw)
    .replace(/\r?\n/g, "")
    .replace(/[ \t]+/g, " ");
  let isReply = false;
  for (let round = 0; round < 10_000; round++) {
    for (let k = 0; k < 10_000; k++) {
      // eslint-disable-next-line regexp/no-super-linear-move -- reference only, inputs under 1 KiB
      const t = s.replace(TRAILER, "").replace(/[ \t]+$/, "");
      if (t === s) break;
      if (TRAILER.test(s)) isReply = true;
      s = t;
    }
    for (let k = 0; k < 10_000; k++) {
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
    if (/^\[fwd:/i.test(s) && s.endsWith("]")) {
      s = s.slice(5, -1);
      isReply = true;
      continue;
    }
    break;
  }
  return { base: s, isReply };
}
