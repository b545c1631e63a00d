// Admin: releasing a held queue entry (src/postoffice/release-held.ts): due now, unless its sender
// is still frozen (then the page says to unfreeze the account on the users page). Deleting a held
// entry is the queue page's ordinary delete.
import { HttpError, type HttpResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import { releaseHeld } from "../postoffice/release-held.js";
import { adminAction } from "./action.js";

type Render = (rc: AuthedContext, error: string | null) => Promise<HttpResponse>;

export function registerHeldRoutes(router: Router, renderQueue: Render): void {
  router.add({
    method: "POST",
    path: "/admin/queue/:id/release",
    access: "admin",
    handler: (rc) => release(rc, renderQueue),
  });
}

async function release(rc: AuthedContext, renderQueue: Render): Promise<HttpResponse> {
  const id = Number(rc.params.id);
  const q = Number.isSafeInteger(id) ? await rc.app.ctx.store.queue.getQueued(id) : null;
  if (!q) throw new HttpError(404, "No such queued message.");
  return adminAction(rc, {
    action: "queue.release",
    target: String(q.id),
    back: "/admin/queue?state=held",
    onError: (m) => renderQueue(rc, m),
    run: async () => {
      await releaseHeld(rc.app.ctx.store, q.id, new Date());
      rc.app.ctx.kickQueue?.();
    },
  });
}
