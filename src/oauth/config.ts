// [oauth] section of the config file: an OpenID Connect provider whose access tokens log in over
// IMAP, POP3 and SMTP submission (SASL OAUTHBEARER, RFC 7628, and XOAUTH2), and whose login
// ("Sign in with …") the webmail and admin pages offer. Off while issuer is empty: then no
// capability names either mechanism and the login pages show no button.
import { int, str, strList } from "../config/dsl.js";

export const oauthSection = {
  issuer: str(
    "",
    'The OpenID Connect provider\'s issuer URL, exactly as its tokens\' "iss" claim says it ("https://id.example.com/realms/mail"). Empty: OAuth is off. Must be https, except on a loopback address (a provider on the same machine).',
  ),
  audience: str(
    "",
    'What an access token\'s "aud" claim must contain to log in here (RFC 9068 §4): the resource indicator the provider issues mail tokens for ("https://mail.example.com" or "imap"). Required when issuer is set: a token minted for another service must not open the mailbox.',
  ),
  jwksUri: str(
    "",
    "Where the provider's signing keys (JWKS) are. Empty: jwks_uri from the issuer's /.well-known/openid-configuration.",
  ),
  usernameClaim: str(
    "email",
    'The token claim naming the Yubin account: its value must be an existing account address ("email", or "preferred_username" where the provider\'s user names are the mail addresses). A token whose claim names no account logs nobody in.',
  ),
  clockSkewSec: int(60, "Seconds of clock difference allowed when checking a token's exp, nbf and iat.", {
    min: 0,
    max: 600,
  }),
  jwksTimeoutMs: int(
    5000,
    "Longest a fetch of the provider's discovery document or keys may take; a login waiting on it then fails (and is retried by the client).",
    { min: 100, max: 60000 },
  ),
  jwksCacheSec: int(
    600,
    "How long fetched signing keys are used before they are fetched again (a token with a key id not among them fetches them at once, at most every jwksCooldownSec).",
    { min: 10, max: 86400 },
  ),
  jwksCooldownSec: int(
    30,
    "Least time between two fetches of the keys, so tokens with made-up key ids cannot make the server hammer the provider.",
    { min: 1, max: 3600 },
  ),
  maxTokenBytes: int(
    8192,
    "Longest access token accepted in a SASL exchange; longer ones are refused without being parsed.",
    { min: 512, max: 65536 },
  ),
  clientId: str(
    "",
    'The OAuth client id Yubin\'s web login uses at the provider. Empty: no "Sign in with" button (protocol logins with tokens still work).',
  ),
  clientSecret: str("", "The client's secret (client_secret_basic). Keep the config file private."),
  redirectUri: str(
    "",
    "Where the provider sends the browser back after login; register it with the provider. Empty: https://<the host the login page was loaded from>/login/oidc/callback.",
  ),
  webLoginTimeoutSec: int(600, "How long a web login may stay at the provider before its state expires.", {
    min: 30,
    max: 3600,
  }),
  webLoginPendingMax: int(
    10000,
    "Most web logins waiting at the provider at once; past it the oldest is forgotten (its callback then asks to start again).",
    { min: 10, max: 1000000 },
  ),
  scopes: strList(
    ["openid", "email", "profile"],
    'Scopes the web login asks for ("openid" is required).',
    (v) => (v.includes("openid") ? null : 'oauth.scopes must include "openid"'),
  ),
  providerName: str(
    "OpenID Connect",
    'The name on the login pages\' button ("Sign in with <providerName>").',
  ),
};
