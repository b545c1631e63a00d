// RFC 5228 5: the base language's tests: address, header, exists, size, allof, anyof, not, true,
// false. (envelope is an extension: extensions/envelope.ts.)

import { fieldNames, gather, indexPicker } from "../fields.js";
import { ALL } from "../match.js";
import { addressesOf, type SieveAddress } from "../message.js";
import type { TestDef, TestFn } from "../registry.js";
import type { Runtime } from "../runtime.js";

const TRUE: TestFn = () => true;
const FALSE: TestFn = () => false;

/** Header fields that hold addresses (RFC 5322 3.6.2, 3.6.3, 3.6.6 and common extensions). */
export const ADDRESS_HEADERS: ReadonlySet<string> = new Set([
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "resent-from",
  "resent-sender",
  "resent-to",
  "resent-cc",
  "resent-bcc",
  "resent-reply-to",
  "abuse-reports-to",
  "for-approval",
  "for-comment",
  "for-handling",
  "read-receipt-to",
  "registered-mail-reply-requested-by",
  "return-receipt-requested",
  "x-admin",
  "x-complaints-to",
  "x-confirm-reading-to",
  "x-original-from",
  "x-report-abuse-to",
  "return-path",
  "delivered-to",
  "envelope-to",
  "x-original-to",
  "x-envelope-to",
  "original-recipient",
  "errors-to",
  "return-receipt-to",
  "disposition-notification-to",
  "mail-followup-to",
  "mail-reply-to",
  "x-beenthere",
  "apparently-to",
  "x-apparently-to",
  "approved",
]);

/** RFC 5228 5.1 address [COMPARATOR] [ADDRESS-PART] [MATCH-TYPE] <header-list> <key-list> */
export const addressTest: TestDef = {
  name: "address",
  capability: null,
  positional: ["strings", "strings"],
  positionalNames: ["header list", "key list"],
  matching: true,
  addressPart: true,
  validate(a, ctx) {
    // RFC 5228 5.1: the address test is restricted to headers that hold addresses.
    const arg = a.positional[0]!;
    for (const l of arg.kind === "list" ? arg.values : arg.kind === "string" ? [arg.value] : []) {
      const v = ctx.constant({ ...arg, kind: "string", value: l });
      if (v !== null && !ADDRESS_HEADERS.has(v.toLowerCase()))
        ctx.error(l, `specified header '${v}' is not allowed for the address test (it holds no addresses)`);
    }
  },
  compile(a, ctx) {
    const names = fieldNames(a.positional[0]!, ctx);
    const match = ctx.matcher(a, ctx.strings(a.positional[1]!));
    const part = ctx.addressPart(a);
    const pick = indexPicker(a, ctx);
    if (a.tags.has(":index")) {
      // RFC 5260 6: :index counts header fields, not the addresses in them: the Nth field's
      // addresses, all of them.
      return (rt) => {
        const fields = pick(gather(names(rt), (n) => rt.msg.rawValues(n)));
        const addrs: SieveAddress[] = [];
        for (const v of fields) addrs.push(...addressesOf(v));
        return match(addressValues(addrs, part), rt);
      };
    }
    return (rt) => {
      const addrs = gather(names(rt), (n) => rt.msg.addresses(n));
      return match(addressValues(addrs, part), rt);
    };
  },
};

/** The address part of each address; addresses without that part (e.g. no +detail) are left out. */
export function addressValues(
  addrs: readonly SieveAddress[],
  part: (l: string, d: string) => string | null,
): string[] {
  const out: string[] = [];
  for (const a of addrs) {
    const v = a.invalid === undefined ? part(a.local, a.domain) : part === ALL.extract ? a.invalid : null;
    if (v !== null) out.push(v);
  }
  return out;
}

/** RFC 5228 5.7 header [COMPARATOR] [MATCH-TYPE] <header-names> <key-list> */
export const headerTest: TestDef = {
  name: "header",
  capability: null,
  positional: ["strings", "strings"],
  positionalNames: ["header names", "key list"],
  matching: true,
  compile(a, ctx) {
    const names = fieldNames(a.positional[0]!, ctx);
    const match = ctx.matcher(a, ctx.strings(a.positional[1]!));
    const pick = indexPicker(a, ctx);
    return (rt: Runtime) => match(pick(gather(names(rt), (n) => rt.msg.values(n))), rt);
  },
};

/** RFC 5228 5.5 exists <header-names>: true when every one is present. */
export const existsTest: TestDef = {
  name: "exists",
  capability: null,
  positional: ["strings"],
  compile(a, ctx) {
    const names = fieldNames(a.positional[0]!, ctx);
    return (rt) => {
      for (const n of names(rt)) if (!rt.msg.has(n)) return false;
      return true;
    };
  },
};

/** RFC 5228 5.9 size <":over" / ":under"> <limit: number> (strictly over / under, in octets). */
export const sizeTest: TestDef = {
  name: "size",
  capability: null,
  positional: ["number"],
  tags: [
    { name: ":over", group: "size", capability: null },
    { name: ":under", group: "size", capability: null },
  ],
  validate(a, ctx) {
    if (!a.tags.has(":over") && !a.tags.has(":under"))
      ctx.error(a.node, 'test "size" needs ":over" or ":under"');
  },
  compile(a, ctx) {
    const limit = ctx.number(a.positional[0]!);
    return a.tags.has(":over") ? (rt) => rt.msg.size > limit : (rt) => rt.msg.size < limit;
  },
};

/** RFC 5228 5.2 allof <tests>: true when all are (evaluated left to right, stopping at a false one). */
export const allofTest: TestDef = {
  name: "allof",
  capability: null,
  tests: "list",
  compile(a, ctx) {
    const tests = a.node.tests.map((t) => ctx.test(t));
    return (rt) => every(tests, 0, rt, false);
  },
};

/** RFC 5228 5.3 anyof <tests>: true when one is. */
export const anyofTest: TestDef = {
  name: "anyof",
  capability: null,
  tests: "list",
  compile(a, ctx) {
    const tests = a.node.tests.map((t) => ctx.test(t));
    return (rt) => every(tests, 0, rt, true);
  },
};

/** Evaluates tests in order until one equals `stopOn` (anyof: true, allof: false). */
function every(
  tests: readonly TestFn[],
  i: number,
  rt: Runtime,
  stopOn: boolean,
): boolean | Promise<boolean> {
  for (; i < tests.length; i++) {
    const r = tests[i]!(rt);
    if (r === stopOn) return stopOn;
    if (r !== !stopOn) {
      const at = i;
      return (r as Promise<boolean>).then((v) => (v === stopOn ? stopOn : every(tests, at + 1, rt, stopOn)));
    }
  }
  return !stopOn;
}

/** RFC 5228 5.6 not <test> */
export const notTest: TestDef = {
  name: "not",
  capability: null,
  tests: "one",
  compile(a, ctx) {
    const t = ctx.test(a.node.tests[0]!);
    return (rt) => {
      const r = t(rt);
      return typeof r === "boolean" ? !r : r.then((v) => !v);
    };
  },
};

export const trueTest: TestDef = { name: "true", capability: null, compile: () => TRUE };
export const falseTest: TestDef = { name: "false", capability: null, compile: () => FALSE };

export const baseTests: TestDef[] = [
  addressTest,
  headerTest,
  existsTest,
  sizeTest,
  allofTest,
  anyofTest,
  notTest,
  trueTest,
  falseTest,
];
