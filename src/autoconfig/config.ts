// [autoconfig] section: what mail clients are told (Thunderbird autoconfig, Autodiscover,
// Apple profiles, the SRV records on the DNS page). By default everything is derived from
// server.hostname and the listeners; these keys are for when clients must use other names or
// ports than the ones we listen on (NAT, a proxy, the quickstart's unprivileged ports).
import { bool, int, str } from "../config/dsl.js";

const port = (what: string, listener: string) =>
  int(
    0,
    `Port clients use for ${what}; 0 = the port of the first ${listener} listener (not advertised if none).`,
    {
      max: 65535,
    },
  );

export const autoconfigSection = {
  hostname: str(
    "",
    "Host name mail clients connect to; empty = server.hostname. Must be in the TLS certificate.",
  ),
  displayName: str("", "Provider name clients show; empty = the mail domain."),
  imapPort: port("IMAP over implicit TLS (993)", 'imap tls="implicit"'),
  imapStartTlsPort: port("IMAP with STARTTLS (143)", 'imap tls="starttls"'),
  pop3Port: port("POP3 over implicit TLS (995)", 'pop3 tls="implicit"'),
  pop3StartTlsPort: port("POP3 with STARTTLS (110)", 'pop3 tls="starttls"'),
  submissionPort: port("submission over implicit TLS (465)", 'submission tls="implicit"'),
  submissionStartTlsPort: port("submission with STARTTLS (587)", 'submission tls="starttls"'),
  managesievePort: port("ManageSieve, Sieve filters, with STARTTLS (4190)", 'managesieve tls="starttls"'),
  offerStartTls: bool(
    true,
    "Also advertise the STARTTLS ports, after the implicit-TLS ones (RFC 8314 §3 prefers implicit TLS).",
  ),
};
