// The From addresses DMARC is evaluated for, read as mailauth read them: nodemailer's address
// parser over the field's value (latin1). That parser costs ~10 µs a field; the two forms nearly
// every From takes, "local@domain" and "Name <local@domain>" with a plain or quoted name, are
// read here without it when they are unambiguous, with the same result (from-address.test.ts
// compares the two on generated values). Anything else still goes to nodemailer.
import addressparser from "nodemailer/lib/addressparser/index.js";

const ADDRESS = /^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const NAMED = /^(?:[A-Za-z0-9 ]*|"[^"\\]*") ?<([^<>]*)>$/;

/** The addresses of a From field's value (trimmed), in order. */
export function fromAddresses(value: string): string[] {
  if (ADDRESS.test(value)) return [value];
  const named = NAMED.exec(value);
  if (named && ADDRESS.test(named[1]!)) return [named[1]!];
  const out: string[] = [];
  for (const a of addressparser(value)) if ("address" in a && a.address) out.push(a.address);
  return out;
}
