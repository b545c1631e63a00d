// Every admin action is logged with who did it, from where, what and on what, and whether it
// worked: one "admin action" line per POST, never with passwords.
import type { AuthedContext } from "../http/router.js";

export function audit(
  rc: AuthedContext,
  action: string,
  target: string,
  outcome: { ok: boolean; error?: string },
): void {
  const fields = {
    admin: rc.account.address,
    ip: rc.req.ip,
    action,
    target,
    ok: outcome.ok,
    error: outcome.error,
  };
  if (outcome.ok) rc.app.ctx.log.info("admin action", fields);
  else rc.app.ctx.log.warn("admin action", fields);
}
