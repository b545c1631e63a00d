// Admin: the outbound queue (mail for other domains). Retry = due now (the delivery engine picks
// it up at its next pass); delete = drop it without a bounce. Held entries (a frozen account's,
// or outbound mail the spam filter held) are never sent until released (held.ts) or deleted;
// ?state=held lists only them.
import { html } from "../http/html.js";
import { csrfField } from "../http/layout.js";
import { HttpError, type HttpResponse } from "../http/response.js";
import type { AuthedContext, Router } from "../http/router.js";
import type { QueuedMessage } from "../store/types.js";
import { adminAction, FormError } from "./action.js";
import { registerHeldRoutes } from "./held.js";
import { adminPage } from "./layout.js";

/** Most queue entries listed on the page (the oldest first). */
export const QUEUE_PAGE_LIMIT = 500;

export function registerQueueRoutes(router: Router): void {
  router.add({ method: "GET", path: "/admin/queue", access: "admin", handler: (rc) => render(rc) });
  router.add({ method: "POST", path: "/admin/queue/:id/retry", access: "admin", handler: retry });
  router.add({ method: "POST", path: "/admin/queue/:id/delete", access: "admin", handler: remove });
  registerHeldRoutes(router, (rc, error) => renderQueue(rc, error));
}

const render = (rc: AuthedContext, error: string | null = null) => renderQueue(rc, error);

async function renderQueue(rc: AuthedContext, error: string | null): Promise<HttpResponse> {
  const heldOnly = rc.req.query.get("state") === "held";
  const all = await rc.app.ctx.store.queue.listQueue(heldOnly ? { state: "held" } : {});
  const shown = all.slice(0, QUEUE_PAGE_LIMIT);
  const rows = shown.map(
    (q) => html`<tr id="queue-${q.id}"><td>${q.id}</td><td>${q.mailFrom || "<>"}</td>
<td>${q.recipients.map((r) => html`${r.address} (${r.state})<br>`)}</td><td>${q.state}</td><td>${q.size}</td>
<td>${q.attempts}</td><td>${q.nextAttemptAt.toISOString()}</td><td>${q.lastError ?? ""}</td>
<td>${
      q.state === "held"
        ? html`<form method="post" action="/admin/queue/${q.id}/release">${csrfField(rc.session)}<button type="submit">Release</button></form>`
        : html`<form method="post" action="/admin/queue/${q.id}/retry">${csrfField(rc.session)}<button type="submit">Retry now</button></form>`
    }
<form method="post" action="/admin/queue/${q.id}/delete">${csrfField(rc.session)}<button type="submit">Delete</button></form></td></tr>`,
  );
  const filter = heldOnly
    ? html`<a href="/admin/queue">all entries</a> · <strong>held only</strong>`
    : html`<strong>all entries</strong> · <a href="/admin/queue?state=held">held only</a>`;
  const body = html`<p>${filter}</p><p>${all.length} ${heldOnly ? "held " : ""}message(s) in the queue${all.length > shown.length ? `, the first ${shown.length} shown` : ""}.</p>
<table><thead><tr><th>Id</th><th>From</th><th>Recipients</th><th>State</th><th>Size</th><th>Attempts</th>
<th>Next attempt</th><th>Last error</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
  return adminPage(rc, "Outbound queue", body, { error });
}

async function queued(rc: AuthedContext): Promise<QueuedMessage> {
  const id = Number(rc.params.id);
  const q = Number.isSafeInteger(id) ? await rc.app.ctx.store.queue.getQueued(id) : null;
  if (!q) throw new HttpError(404, "No such queued message.");
  return q;
}

async function retry(rc: AuthedContext): Promise<HttpResponse> {
  const q = await queued(rc);
  return adminAction(rc, {
    action: "queue.retry",
    target: String(q.id),
    back: "/admin/queue",
    onError: (m) => render(rc, m),
    run: async () => {
      if (q.state === "sending") throw new FormError(`Message ${q.id} is being sent right now.`);
      if (q.state === "held")
        throw new FormError(`Message ${q.id} is held: release it (or unfreeze its sender's account).`);
      await rc.app.ctx.store.queue.updateQueued(q.id, { state: "queued", nextAttemptAt: new Date() });
    },
  });
}

async function remove(rc: AuthedContext): Promise<HttpResponse> {
  const q = await queued(rc);
  return adminAction(rc, {
    action: "queue.delete",
    target: String(q.id),
    back: "/admin/queue",
    onError: (m) => render(rc, m),
    run: () => rc.app.ctx.store.queue.removeQueued(q.id),
  });
}
