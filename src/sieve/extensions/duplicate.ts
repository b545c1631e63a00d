// RFC 7352 duplicate [":handle" string] [":header" string / ":uniqueid" string]
//                    [":seconds" number] [":last"]
// True when this message (by Message-ID, another header's value or an explicit id) was seen
// within the interval; the host keeps the memory per account (SieveHost.duplicate).

import { validFieldName } from "../fields.js";
import type { SieveExtension, TestDef } from "../registry.js";
import { expand } from "../strings.js";
import { duplicateKey, duplicateSeconds, uniqueValue } from "./duplicate-key.js";

const DEFAULT_SECONDS = 7 * 86400;
const MAX_SECONDS = 30 * 86400;

export const duplicateTest: TestDef = {
  name: "duplicate",
  capability: "duplicate",
  tags: [
    { name: ":handle", value: "string" },
    { name: ":header", value: "string", group: "id" },
    { name: ":uniqueid", value: "string", group: "id" },
    { name: ":seconds", value: "number" },
    { name: ":last" },
  ],
  validate(a, ctx) {
    const h = a.tags.get(":header");
    const name = h ? ctx.constant(h) : null;
    if (name !== null && !validFieldName(name)) ctx.error(h!, `invalid header name "${name.slice(0, 80)}"`);
  },
  compile(a, ctx) {
    const handle = a.tags.has(":handle") ? ctx.string(a.tags.get(":handle")!) : null;
    const header = a.tags.has(":header") ? ctx.string(a.tags.get(":header")!) : null;
    const uniqueid = a.tags.has(":uniqueid") ? ctx.string(a.tags.get(":uniqueid")!) : null;
    const seconds = a.tags.has(":seconds") ? ctx.number(a.tags.get(":seconds")!) : null;
    const last = a.tags.has(":last");
    return async (rt) => {
      let unique: string | null;
      if (uniqueid !== null) unique = expand(uniqueid, rt);
      else {
        // RFC 7352 3.1: the first field of that name (default Message-ID); none: false.
        const name = header === null ? "message-id" : expand(header, rt).toLowerCase();
        unique = uniqueValue(rt.msg.rawValues(name)[0] ?? null);
      }
      if (unique === null) return false;
      const s = duplicateSeconds(seconds, {
        defaultSeconds: rt.limits.duplicateDefaultSeconds ?? DEFAULT_SECONDS,
        maxSeconds: rt.limits.duplicateMaxSeconds ?? MAX_SECONDS,
      });
      const key = duplicateKey(handle === null ? null : expand(handle, rt), unique);
      // RFC 7352 3.1: every duplicate test of one execution (included scripts too) with the same
      // id and handle gives the same answer; the first one's record must not make the next true.
      const seen = rt.state("duplicate", () => new Map<string, boolean>());
      const earlier = seen.get(key);
      if (earlier !== undefined) return earlier;
      const answer = await rt.host.duplicate(key, s, last);
      seen.set(key, answer);
      return answer;
    };
  },
};

export const duplicateExtension: SieveExtension = {
  capabilities: ["duplicate"],
  tests: [duplicateTest],
};
