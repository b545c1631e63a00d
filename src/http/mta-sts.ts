// RFC 8461 §3.2: the MTA-STS policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt, for the
// domains we host (the DNS page tells admins to point mta-sts.DOMAIN here). HTTPS only: a
// policy fetched over plain HTTP must be ignored by senders anyway.
import { mtaStsPolicy } from "../mailauth/records.js";
import { HttpError } from "./response.js";
import type { Router } from "./router.js";

export const MTA_STS_PATH = "/.well-known/mta-sts.txt";

export function registerMtaStsRoutes(router: Router): void {
  router.add({
    method: "GET",
    path: MTA_STS_PATH,
    access: "public",
    handler: async (rc) => {
      const host = rc.req.host;
      const domain = host.startsWith("mta-sts.") ? host.slice("mta-sts.".length) : "";
      if (!domain || !(await rc.app.ctx.store.directory.getDomain(domain)))
        throw new HttpError(404, "Not found.");
      const ctx = rc.app.ctx;
      return {
        status: 200,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "max-age=3600" },
        body: mtaStsPolicy(ctx.config),
      };
    },
  });
}
