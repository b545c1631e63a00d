// RFC 5490 3 mailbox: fileinto :create (the host creates a missing mailbox) and the test
// mailboxexists <mailbox-names: string-list>, true when every one exists (asked of the host).
import type { SieveExtension } from "../registry.js";
import { expandAll } from "../strings.js";

export const mailboxExtension: SieveExtension = {
  capabilities: ["mailbox"],
  tags: [{ on: ["fileinto"], tag: { name: ":create" } }],
  tests: [
    {
      name: "mailboxexists",
      capability: "mailbox",
      positional: ["strings"],
      compile(a, ctx) {
        const names = ctx.strings(a.positional[0]!);
        return async (rt) => {
          for (const n of expandAll(names, rt)) if (!(await rt.host.mailboxExists(n))) return false;
          return true;
        };
      },
    },
  ],
};
