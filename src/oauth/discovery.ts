// OpenID Connect Discovery 1.0 §4: the provider's metadata at
// <issuer>/.well-known/openid-configuration, fetched with a timeout. §4.3: the "issuer" it states
// must be exactly the one configured, or its keys could speak for another issuer.

export interface ProviderMetadata {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
}

// A discovery document is a few kilobytes; more is not one.
const MAX_BYTES = 256 * 1024;

export async function discover(issuer: string, timeoutMs: number): Promise<ProviderMetadata> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const res = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: "application/json" },
    redirect: "error",
  });
  if (!res.ok) throw new Error(`discovery: HTTP ${res.status} from ${url}`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error("discovery: document too large");
  const meta = JSON.parse(text) as Partial<ProviderMetadata>;
  if (meta.issuer !== issuer)
    throw new Error(`discovery: issuer ${JSON.stringify(meta.issuer)} is not ${issuer}`);
  if (typeof meta.jwks_uri !== "string") throw new Error("discovery: no jwks_uri");
  return meta as ProviderMetadata;
}
