// draft-ietf-sieve-regex-01 regex: the :regex match type (POSIX extended regular expressions,
// matched anywhere in the value unless anchored) and the :quoteregex modifier of `set`. Matching
// is linear in the value (regex/ere.ts, a Pike VM; never JavaScript's backtracking RegExp).
// Constant patterns are compiled with the script, so a bad one is a compile error with its
// position; a pattern built from variables that does not compile matches nothing.
import { perValue } from "../match.js";
import { compileRegex, type Regex, RegexError } from "../regex/ere.js";
import type { SieveExtension } from "../registry.js";
import { allConstant } from "../strings.js";

/** draft-ietf-sieve-regex 4: a backslash before every character special in an ERE. */
export function quoteRegex(s: string): string {
  let out = "";
  for (const c of s) out += "\\^$.[]|()*+?{}".includes(c) ? `\\${c}` : c;
  return out;
}

export const regexExtension: SieveExtension = {
  capabilities: ["regex"],
  modifiers: [{ name: ":quoteregex", precedence: 20, apply: quoteRegex }],
  matchTypes: [
    {
      tag: ":regex",
      capability: "regex",
      validate: ({ comparator, error }) => {
        if (comparator.name !== "i;octet" && comparator.name !== "i;ascii-casemap") {
          error(`comparator "${comparator.name}" does not allow :regex`);
        }
      },
      build: ({ comparator, keys, error, pos }) => {
        const icase = comparator.folds;
        if (allConstant(keys)) {
          for (const k of keys) {
            try {
              compileRegex(k, { icase });
            } catch (e) {
              if (!(e instanceof RegexError)) throw e;
              error(`invalid regular expression "${k}": ${e.message}`);
            }
          }
        }
        return perValue<Regex | { broken: string }>(
          keys,
          comparator,
          (k) => {
            try {
              return compileRegex(k, { icase });
            } catch (e) {
              if (e instanceof RegexError)
                return { broken: `invalid regular expression "${k}": ${e.message}` };
              throw e;
            }
          },
          (v, re, original, rt) => {
            // A pattern made from variables that does not compile matches nothing; the run goes
            // on and the problem is reported as a warning (as Pigeonhole logs it).
            if ("broken" in re) {
              rt.warn(pos, re.broken);
              return false;
            }
            const caps = re.exec(v);
            if (caps === null) return false;
            if (rt.capturing) rt.setMatchVars(caps, original);
            return true;
          },
        );
      },
    },
  ],
};
