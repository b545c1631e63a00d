// The running app's SRS (srs.ts): its key from the data directory, read once per AppContext
// (like mailauthFor), and the option recipient resolution takes to reverse bounces.
import type { ResolveOptions } from "../delivery/resolve.js";
import type { AppContext } from "../server/context.js";
import { loadSrsKey, Srs } from "./srs.js";

const byContext = new WeakMap<AppContext, Promise<Srs>>();

/** The app's SRS, or null when [outbound] srs is off. */
export async function srsFor(ctx: AppContext): Promise<Srs | null> {
  const cfg = ctx.config.outbound;
  if (!cfg.srs) return null;
  let p = byContext.get(ctx);
  if (!p) {
    p = loadSrsKey(ctx.config.server.dataDir).then(
      (key) =>
        new Srs({ key, domain: cfg.srsDomain || ctx.config.server.hostname, maxAgeDays: cfg.srsMaxAgeDays }),
    );
    // A failed read is retried next time rather than remembered.
    p.catch(() => byContext.delete(ctx));
    byContext.set(ctx, p);
  }
  return p;
}

/** ResolveOptions.srs for this app: bounces to our SRS addresses are reversed (RCPT on port 25,
 *  and our own DSNs about forwarded mail). */
export async function srsResolveOption(ctx: AppContext): Promise<Pick<ResolveOptions, "srs">> {
  const srs = await srsFor(ctx);
  return srs ? { srs } : {};
}
