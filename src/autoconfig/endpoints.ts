// The mail services a client should use, derived once from the config: every autoconfig format
// (Thunderbird, Autodiscover, Apple, SRV) renders this same list, so they cannot disagree.
// Order is preference: implicit TLS first (RFC 8314 §3), STARTTLS after.
import type { Config, Protocol, TlsMode } from "../config/schema.js";

export type Service = "imap" | "pop3" | "submission" | "managesieve";
export type SocketType = "SSL" | "STARTTLS";

export interface Endpoint {
  service: Service;
  hostname: string;
  port: number;
  socket: SocketType;
}

export interface ClientEndpoints {
  hostname: string;
  imap: Endpoint[];
  pop3: Endpoint[];
  submission: Endpoint[];
  /** ManageSieve (RFC 5804): STARTTLS only, the protocol has no implicit-TLS port. */
  managesieve: Endpoint[];
}

type PortKey = keyof Pick<
  Config["autoconfig"],
  | "imapPort"
  | "imapStartTlsPort"
  | "pop3Port"
  | "pop3StartTlsPort"
  | "submissionPort"
  | "submissionStartTlsPort"
>;

const KEYS: Record<Exclude<Service, "managesieve">, [PortKey, PortKey]> = {
  imap: ["imapPort", "imapStartTlsPort"],
  pop3: ["pop3Port", "pop3StartTlsPort"],
  submission: ["submissionPort", "submissionStartTlsPort"],
};

export function clientEndpoints(config: Config): ClientEndpoints {
  const ac = config.autoconfig;
  const hostname = (ac.hostname || config.server.hostname).toLowerCase();
  const listenerPort = (protocol: Protocol, tls: TlsMode) =>
    config.listeners.find((l) => l.protocol === protocol && l.tls === tls && l.port > 0)?.port ?? 0;
  const build = (service: Exclude<Service, "managesieve">): Endpoint[] => {
    const [implicitKey, starttlsKey] = KEYS[service];
    const out: Endpoint[] = [];
    const implicit = ac[implicitKey] || listenerPort(service, "implicit");
    if (implicit > 0) out.push({ service, hostname, port: implicit, socket: "SSL" });
    const starttls = ac.offerStartTls ? ac[starttlsKey] || listenerPort(service, "starttls") : 0;
    if (starttls > 0) out.push({ service, hostname, port: starttls, socket: "STARTTLS" });
    return out;
  };
  const sievePort = ac.managesievePort || listenerPort("managesieve", "starttls");
  const managesieve: Endpoint[] =
    sievePort > 0 ? [{ service: "managesieve", hostname, port: sievePort, socket: "STARTTLS" }] : [];
  return { hostname, imap: build("imap"), pop3: build("pop3"), submission: build("submission"), managesieve };
}

/** The domain of an address ("alice@Example.TEST" → "example.test"), or null. */
/** The provider name clients show for a domain's account ([autoconfig] displayName, else the
 *  domain itself). */
export function displayNameFor(config: Config, domain: string): string {
  return config.autoconfig.displayName || domain;
}

export function domainOf(address: string): string | null {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return null;
  return address.slice(at + 1).toLowerCase();
}
