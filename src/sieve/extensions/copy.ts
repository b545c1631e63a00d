// RFC 3894 copy: fileinto :copy and redirect :copy deliver without cancelling the implicit keep
// (the commands read the tag; this registers it).
import type { SieveExtension } from "../registry.js";

export const copyExtension: SieveExtension = {
  capabilities: ["copy"],
  tags: [{ on: ["fileinto", "redirect"], tag: { name: ":copy" } }],
};
