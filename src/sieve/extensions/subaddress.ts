// RFC 5233 subaddress: the :user and :detail address parts of "user+detail@domain". Without a
// separator :user is the whole local part and :detail is nothing (the address does not match,
// RFC 5233 4); "user+@domain" has an empty detail.
import type { SieveExtension } from "../registry.js";

export const SEPARATOR = "+";

export const subaddressExtension: SieveExtension = {
  capabilities: ["subaddress"],
  addressParts: [
    {
      tag: ":user",
      capability: "subaddress",
      extract: (local) => {
        const i = local.indexOf(SEPARATOR);
        return i === -1 ? local : local.slice(0, i);
      },
    },
    {
      tag: ":detail",
      capability: "subaddress",
      extract: (local) => {
        const i = local.indexOf(SEPARATOR);
        return i === -1 ? null : local.slice(i + 1);
      },
    },
  ],
};
