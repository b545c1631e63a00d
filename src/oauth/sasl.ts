// The two SASL mechanisms that carry an OAuth 2.0 bearer token, parsed the same way for IMAP,
// POP3 and SMTP submission (each protocol only frames the exchange):
//  - OAUTHBEARER (RFC 7628 §3.1): gs2-header ("n,a=user," or "n,,"), then ^A-separated key=value
//    pairs, one of them "auth=Bearer <token>", ended by ^A^A. Channel binding ("p=…") is refused:
//    none is defined for OAuth. On failure the server sends a JSON error challenge (§3.2.2) and
//    the client answers with a lone ^A before the final failure.
//  - XOAUTH2 (Google's, "user=<u>^Aauth=Bearer <token>^A^A"): the same idea without gs2; its
//    failure is a JSON challenge too, answered with an empty response.
// Pure functions of the decoded bytes: linear in the message (split on ^A, no backtracking regex).

export type OAuthMechanism = "OAUTHBEARER" | "XOAUTH2";
export const oauthMechanisms: readonly OAuthMechanism[] = ["OAUTHBEARER", "XOAUTH2"];

export type BearerMessage = { username: string | null; token: string } | { error: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const SEP = "\x01";

export function isOAuthMechanism(m: string): m is OAuthMechanism {
  return m === "OAUTHBEARER" || m === "XOAUTH2";
}

/** OAuth logins exist only when [oauth] names a provider (every protocol asks this). */
export function oauthConfigured(cfg: { issuer: string }): boolean {
  return cfg.issuer !== "";
}

/** A base64 SASL response (strict: the alphabet, padding, a multiple of 4) parsed as `mechanism`'s
 *  message, for protocols whose frame carries it as text (POP3, ManageSieve). */
export function parseBearerResponse(mechanism: OAuthMechanism, base64: string): BearerMessage {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return { error: "bad base64" };
  return parseBearerMessage(mechanism, Buffer.from(base64, "base64"));
}

export function parseBearerMessage(mechanism: OAuthMechanism, message: Buffer): BearerMessage {
  let text: string;
  try {
    text = utf8.decode(message);
  } catch {
    return { error: "not UTF-8" };
  }
  return mechanism === "OAUTHBEARER" ? parseOauthBearer(text) : parseXoauth2(text);
}

/** RFC 7628 §3.1: client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep */
function parseOauthBearer(text: string): BearerMessage {
  const parts = text.split(SEP);
  // gs2-header, the pairs, then two empty strings from the closing ^A^A.
  if (parts.length < 3 || parts.at(-1) !== "" || parts.at(-2) !== "") return { error: "not ended by ^A^A" };
  const gs2 = parts[0] ?? "";
  const fields = gs2.split(",");
  // gs2-header = gs2-cbind-flag "," [ gs2-authzid ] "," (RFC 5801 §4)
  if (fields.length !== 3 || fields[2] !== "") return { error: "bad gs2 header" };
  if (fields[0] !== "n" && fields[0] !== "y") return { error: "channel binding is not supported" };
  let username: string | null = null;
  const authzid = fields[1] ?? "";
  if (authzid !== "") {
    if (!authzid.startsWith("a=")) return { error: "bad gs2 authzid" };
    const name = unescapeSaslname(authzid.slice(2));
    if (name === null || name === "") return { error: "bad saslname" };
    username = name;
  }
  const token = bearerFromPairs(parts.slice(1, -2));
  return typeof token === "string" ? { username, token } : token;
}

/** Google's XOAUTH2: "user=" {User} ^A "auth=Bearer " {token} ^A ^A */
function parseXoauth2(text: string): BearerMessage {
  const parts = text.split(SEP);
  if (parts.length < 3 || parts.at(-1) !== "" || parts.at(-2) !== "") return { error: "not ended by ^A^A" };
  const pairs = parts.slice(0, -2);
  const user = pairs.find((p) => p.startsWith("user="))?.slice(5) ?? "";
  if (user === "") return { error: "no user" };
  const token = bearerFromPairs(pairs.filter((p) => !p.startsWith("user=")));
  return typeof token === "string" ? { username: user, token } : token;
}

/** kvpair = key "=" value; key = 1*ALPHA; the token from "auth=Bearer <b64token>" (RFC 6750 §2.1,
 *  the scheme case-insensitive). Other keys (host, port) are allowed and ignored. */
function bearerFromPairs(pairs: string[]): string | { error: string } {
  let token: string | null = null;
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq < 1 || !/^[A-Za-z]+$/.test(p.slice(0, eq))) return { error: "bad key=value pair" };
    if (p.slice(0, eq) !== "auth") continue;
    if (token !== null) return { error: "two auth values" };
    const value = p.slice(eq + 1);
    const space = value.indexOf(" ");
    if (space < 0 || value.slice(0, space).toLowerCase() !== "bearer") return { error: "not a Bearer token" };
    const t = value.slice(space + 1).trim();
    if (!/^[\w\-.~+/]+=*$/.test(t)) return { error: "bad b64token" };
    token = t;
  }
  return token ?? { error: "no auth value" };
}

/** RFC 5801 §4 saslname: "," and "=" appear only as =2C and =3D. */
function unescapeSaslname(s: string): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ",") return null;
    if (c !== "=") {
      out += c;
      continue;
    }
    const esc = s.slice(i + 1, i + 3);
    if (esc === "2C") out += ",";
    else if (esc === "3D") out += "=";
    else return null;
    i += 2;
  }
  return out;
}

/** The error challenge sent before the final failure, base64 (RFC 7628 §3.2.2 for OAUTHBEARER;
 *  Google's shape, status "401", for XOAUTH2). openid-configuration tells the client where to get
 *  a token; scope what to ask for. */
export function errorChallenge(
  mechanism: OAuthMechanism,
  opts: { issuer: string; scopes: readonly string[] },
): string {
  const scope = opts.scopes.join(" ");
  const json =
    mechanism === "OAUTHBEARER"
      ? {
          status: "invalid_token",
          scope,
          "openid-configuration": `${opts.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
        }
      : { status: "401", schemes: "bearer", scope };
  return Buffer.from(JSON.stringify(json)).toString("base64");
}

/** Longest base64 SASL response line a bearer exchange may need: the token (maxTokenBytes) plus
 *  the header and pairs around it, base64'd. Protocols read bearer responses with this limit
 *  rather than their command-line limit: RFC 4954 §4 has servers handle the longest response of
 *  the mechanisms they offer, and RFC 5034 §4 has POP3 clients send a long initial response in
 *  the continuation instead. */
export function maxBearerResponseLength(maxTokenBytes: number): number {
  return Math.ceil((maxTokenBytes + 1024) / 3) * 4 + 2;
}
