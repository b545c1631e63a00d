// The WebAuthn relying party of a request: its RP ID is auth.webauthnRpId, or the host name the
// page was loaded from (WebAuthn §5.1.3: the RP ID must be that host or a registrable suffix of
// it, which the browser checks); the origin is that of the page (scheme, host, port), which the
// server checks in clientDataJSON (§7.1 step 9).
import type { RelyingParty } from "../auth/2fa/webauthn.js";
import type { RequestContext } from "./router.js";

export function relyingParty(rc: RequestContext): RelyingParty {
  const configured = rc.app.ctx.config.auth.webauthnRpId;
  const host = rc.req.host.replace(/^\[|\]$/g, "");
  return {
    id: configured !== "" ? configured : host,
    origin: `https://${rc.req.headers.host ?? rc.req.host}`,
    name: "Yubin",
  };
}
