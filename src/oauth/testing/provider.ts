// A real OpenID Connect provider for the OAuth tests: the `oidc-provider` package (the certified
// Node.js implementation) on an ephemeral 127.0.0.1 port, issuing JWT access tokens (RFC 9068)
// for a resource indicator (RFC 8707) as the mail audience. Users log in through its built-in
// development interactions (any user name, no password; a consent page), which a test drives
// with plain HTTP requests: tokens come out of the real authorization code flow with PKCE.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export const TEST_CLIENT_ID = "yubin-test";
export const TEST_CLIENT_SECRET = "yubin-test-secret-0123456789abcdef";
/** Where the scripted client "returns" to; never followed, the code is read from the Location. */
export const SCRIPT_REDIRECT = "http://127.0.0.1/script-callback";

export interface TestProvider {
  issuer: string;
  /** The resource indicator tokens are issued for by default (their "aud"). */
  audience: string;
  close(): Promise<void>;
  /** An access token for `user` from the authorization code flow (login, consent, token). */
  accessToken(user: string, opts?: { resource?: string; ttlSec?: number }): Promise<string>;
  /** Follow an authorization request through login and consent; the final redirect's URL. */
  authorize(authorizeUrl: string, user: string): Promise<URL>;
}

export async function startTestProvider(
  opts: {
    redirectUris?: () => string[];
    audience?: string;
    /** The issuer's host name: "localhost" for Chromium, whose test resolver knows only it. */
    hostname?: "127.0.0.1" | "localhost";
  } = {},
): Promise<TestProvider> {
  const audience = opts.audience ?? "https://mail.test.example";
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "test-key-1", alg: "RS256", use: "sig" };
  // Per-resource lifetimes, so a test can get a token that expires at once.
  const ttls = new Map<string, number>();

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://${opts.hostname ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;

  // Made at the first request, so redirectUris may name a server started after this one.
  const makeProvider = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: TEST_CLIENT_ID,
          client_secret: TEST_CLIENT_SECRET,
          redirect_uris: [SCRIPT_REDIRECT, ...(opts.redirectUris?.() ?? [])],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      jwks: { keys: [jwk as never] },
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: id, email: id, email_verified: true, preferred_username: id }),
      }),
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["preferred_username"] },
      scopes: ["openid", "email", "profile", "mail"],
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => ({
            scope: "mail",
            audience: resource,
            accessTokenFormat: "jwt",
            accessTokenTTL: ttls.get(resource) ?? 3600,
            jwt: { sign: { alg: "RS256" } },
          }),
        },
      },
      // RFC 9068 §2.2 has only sub; the mail server maps the user by its address.
      extraTokenClaims: (_ctx, token) =>
        "accountId" in token && token.accountId ? { email: token.accountId } : {},
      pkce: { required: () => true },
      ttl: {
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
        IdToken: 3600,
        AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      },
    });
  let handle: ReturnType<Provider["callback"]> | null = null;
  server.on("request", (req, res) => {
    if (!handle) {
      const provider = makeProvider();
      provider.on("server_error", (_ctx, err) => console.error("oidc-provider:", err));
      handle = provider.callback();
    }
    void handle(req, res);
  });

  async function authorize(authorizeUrl: string, user: string): Promise<URL> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const remember = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const eq = pair?.indexOf("=") ?? -1;
        if (pair && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    };
    let url = new URL(authorizeUrl);
    let body: URLSearchParams | null = null;
    // login page, login submit, consent page, consent submit, and the redirects between: bounded.
    for (let step = 0; step < 20; step++) {
      const res = await fetch(url, {
        method: body ? "POST" : "GET",
        headers: {
          cookie: cookieHeader(),
          ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      remember(res);
      body = null;
      const location = res.headers.get("location");
      if (location) {
        const next = new URL(location, url);
        if (next.origin !== issuer) return next; // back to the client
        url = next;
        continue;
      }
      const page = await res.text();
      if (res.status !== 200 || !url.pathname.startsWith("/interaction/"))
        throw new Error(`provider: unexpected ${res.status} at ${url.pathname}: ${page.slice(0, 300)}`);
      // The dev interaction pages: a login form (any user) or a consent form.
      body = page.includes('name="login"')
        ? new URLSearchParams({ prompt: "login", login: user, password: "x" })
        : new URLSearchParams({ prompt: "consent" });
      url = new URL(`/interaction/${url.pathname.split("/")[2]}`, issuer);
    }
    throw new Error("provider: too many steps");
  }

  async function accessToken(user: string, o: { resource?: string; ttlSec?: number } = {}): Promise<string> {
    const resource = o.resource ?? audience;
    if (o.ttlSec !== undefined) ttls.set(resource, o.ttlSec);
    const verifier = randomBytes(32).toString("base64url");
    const auth = new URL("/auth", issuer);
    auth.search = new URLSearchParams({
      client_id: TEST_CLIENT_ID,
      response_type: "code",
      redirect_uri: SCRIPT_REDIRECT,
      scope: "openid email mail",
      resource,
      state: randomBytes(8).toString("hex"),
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const back = await authorize(auth.href, user);
    const code = back.searchParams.get("code");
    if (!code) throw new Error(`provider: no code in ${back.href}`);
    const res = await fetch(new URL("/token", issuer), {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: SCRIPT_REDIRECT,
        code_verifier: verifier,
        resource,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const json = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!json.access_token) throw new Error(`provider: token: ${json.error}: ${json.error_description}`);
    return json.access_token;
  }

  return {
    issuer,
    audience,
    accessToken,
    authorize,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
