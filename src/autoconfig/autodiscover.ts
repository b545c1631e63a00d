// Microsoft Autodiscover, the "POX" (plain old XML) form Outlook and many other clients POST to
// /autodiscover/autodiscover.xml: request schema .../outlook/requestschema/2006, response schema
// .../outlook/responseschema/2006a with one <Protocol> per service (IMAP, POP3, SMTP).
// The request body is read with a bounded regex for the one element we need; no XML entities
// or DTDs are ever expanded.
import type { ClientEndpoints, Endpoint } from "./endpoints.js";
import { escapeXml as x } from "./xml.js";

export const RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
export const OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/** The <EMailAddress> of a POX request, or null. */
export function parseAutodiscoverRequest(body: string): string | null {
  const m = /<(?:\w+:)?EMailAddress>\s*([^<\s]{3,320})\s*<\/(?:\w+:)?EMailAddress>/i.exec(body);
  return m?.[1] ?? null;
}

export function autodiscoverResponse(endpoints: ClientEndpoints, email: string, displayName: string): string {
  const proto = (type: string, e: Endpoint) => `      <Protocol>
        <Type>${type}</Type>
        <Server>${x(e.hostname)}</Server>
        <Port>${e.port}</Port>
        <DomainRequired>off</DomainRequired>
        <LoginName>${x(email)}</LoginName>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <Encryption>${e.socket === "SSL" ? "SSL" : "TLS"}</Encryption>
        <AuthRequired>on</AuthRequired>
      </Protocol>`;
  // Outlook uses the first <Protocol> of each type: the preferred (implicit TLS) endpoint.
  const first = [
    endpoints.imap[0] && proto("IMAP", endpoints.imap[0]),
    endpoints.pop3[0] && proto("POP3", endpoints.pop3[0]),
    endpoints.submission[0] && proto("SMTP", endpoints.submission[0]),
  ].filter((p): p is string => typeof p === "string");
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response xmlns="${OUTLOOK_NS}">
    <User>
      <DisplayName>${x(displayName)}</DisplayName>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
${first.join("\n")}
    </Account>
  </Response>
</Autodiscover>
`;
}

/** The error answer for an address we do not serve (error code 600: invalid request). */
export function autodiscoverError(message: string): string {
  const time = new Date().toISOString().slice(11, 19);
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response>
    <Error Time="${time}" Id="0">
      <ErrorCode>600</ErrorCode>
      <Message>${x(message)}</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
`;
}
