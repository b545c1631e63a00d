// RFC 5183 environment items: what the host says (domain, host, version, remote-ip ...), with
// the standard items this interpreter can answer itself as a fallback (4.1: we run in the mail
// store at delivery). An item nobody defines makes the test false (RFC 5183 4).

/** The standard items' values when the host does not give them. */
export const STANDARD_ENVIRONMENT: Readonly<Record<string, string>> = {
  name: "Yubin",
  location: "MS",
  phase: "during",
};

/** The value of an item (names are case-insensitive), or null when it is not defined. */
export function environmentItem(name: string, host: Record<string, string> | undefined): string | null {
  const n = name.toLowerCase();
  if (host && Object.hasOwn(host, n)) return host[n] ?? null;
  return Object.hasOwn(STANDARD_ENVIRONMENT, n) ? (STANDARD_ENVIRONMENT[n] ?? null) : null;
}
