// RFC 5228 4.1 fileinto <mailbox: string>: files the message into a mailbox and cancels the
// implicit keep. Tags from other extensions: :copy (RFC 3894), :flags (RFC 5232), :create (RFC
// 5490). Whether a missing mailbox is created, is an error or falls back to INBOX is the host's
// choice (RFC 5228 4.1 allows each); the action says whether the script asked for :create.
import { flagsFor } from "../flags.js";
import type { SieveExtension } from "../registry.js";
import { expand } from "../strings.js";

/** Longest mailbox name a script may file into (bytes, like IMAP's practical limits). */
export const MAX_MAILBOX_NAME = 1024;

export const fileintoExtension: SieveExtension = {
  capabilities: ["fileinto"],
  commands: [
    {
      name: "fileinto",
      capability: "fileinto",
      positional: ["string"],
      validate(a, ctx) {
        const v = ctx.constant(a.positional[0]!);
        if (v === "") ctx.error(a.positional[0]!, "empty mailbox name");
        // Octets that are not UTF-8 (from ${hex:ff}) were decoded to U+FFFD (RFC 5228 2.7.2:
        // mailbox names are UTF-8).
        else if (v?.includes("\uFFFD")) ctx.error(a.positional[0]!, "mailbox name is not valid UTF-8");
      },
      compile(a, ctx) {
        const mailbox = ctx.string(a.positional[0]!);
        const flags = flagsFor(a, ctx);
        const copy = a.tags.has(":copy");
        const create = a.tags.has(":create");
        const pos = a.node;
        return (rt) => {
          const name = expand(mailbox, rt);
          if (name === "" || Buffer.byteLength(name) > MAX_MAILBOX_NAME)
            rt.fail(pos, `invalid folder name "${name.slice(0, 64)}"`);
          // RFC 5228 2.7.2: names are UTF-8; octets that are not (from ${hex:ff}) decode to U+FFFD.
          if (name.includes("\uFFFD")) rt.fail(pos, `invalid folder name "${name.slice(0, 64)}" (not UTF-8)`);
          rt.addAction(
            pos,
            { type: "fileinto", mailbox: name, flags: flags(rt), create },
            { cancelsKeep: !copy },
          );
        };
      },
    },
  ],
};
