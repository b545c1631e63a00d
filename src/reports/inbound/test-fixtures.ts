// Report messages as the big reporters send them, for the tests: Google's DMARC report as a zip,
// Microsoft's as gzip, Yahoo's as plain XML in the body, and a TLS-RPT report as gzipped JSON in
// a multipart/report (RFC 8460 §5.3). Shapes follow real reports (element order, namespaces,
// names of the attachments), with our test domain and documentation addresses.
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";

/** Yesterday, UTC, as reporters cover it (Unix seconds): recent, so the reports are inside the
 *  admin page's 30 days and the retention. */
export const T_BEGIN = Math.floor(Date.now() / 86_400_000) * 86_400 - 86_400;
export const T_END = T_BEGIN + 86_399;
const isoSeconds = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");

export function googleDmarcXml(domain: string, reportId = "14253467880099887766"): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>google.com</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>
    <report_id>${reportId}</report_id>
    <date_range>
      <begin>${T_BEGIN}</begin>
      <end>${T_END}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>${domain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>quarantine</p>
    <sp>quarantine</sp>
    <pct>100</pct>
    <np>quarantine</np>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.25</source_ip>
      <count>12</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>pass</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>${domain}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>${domain}</domain>
        <result>pass</result>
        <selector>yubin1</selector>
      </dkim>
      <spf>
        <domain>${domain}</domain>
        <result>pass</result>
      </spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>203.0.113.99</source_ip>
      <count>3</count>
      <policy_evaluated>
        <disposition>quarantine</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>${domain}</header_from>
    </identifiers>
    <auth_results>
      <spf>
        <domain>spoofer.example</domain>
        <result>softfail</result>
      </spf>
    </auth_results>
  </record>
</feedback>
`;
}

export function microsoftDmarcXml(domain: string): string {
  return `<?xml version="1.0"?>
<feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <version>1.0</version>
  <report_metadata>
    <org_name>Enterprise Outlook</org_name>
    <email>dmarcreport@microsoft.com</email>
    <report_id>6f0b8c3a2e6d4c1b9a7e5d3c1b0a9f8e</report_id>
    <date_range>
      <begin>${T_BEGIN}</begin>
      <end>${T_END + 1}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>${domain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>quarantine</p>
    <sp>quarantine</sp>
    <pct>100</pct>
    <fo>0</fo>
  </policy_published>
  <record>
    <row>
      <source_ip>2001:db8::25</source_ip>
      <count>4</count>
      <policy_evaluated>
        <disposition>none</disposition>
        <dkim>pass</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <envelope_to>outlook.com</envelope_to>
      <envelope_from>bounces.${domain}</envelope_from>
      <header_from>${domain}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>${domain}</domain>
        <selector>yubin1</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>bounces.${domain}</domain>
        <scope>mfrom</scope>
        <result>fail</result>
      </spf>
    </auth_results>
  </record>
</feedback>`;
}

export function yahooDmarcXml(domain: string): string {
  return `<?xml version="1.0"?>
<feedback>
  <report_metadata>
    <org_name>Yahoo</org_name>
    <email>dmarchelp@yahooinc.com</email>
    <report_id>1765065600.553177</report_id>
    <date_range>
      <begin>${T_BEGIN}</begin>
      <end>${T_END}</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>${domain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>quarantine</p>
    <pct>100</pct>
  </policy_published>
  <record>
    <row>
      <source_ip>198.51.100.7</source_ip>
      <count>1</count>
      <policy_evaluated>
        <disposition>quarantine</disposition>
        <dkim>fail</dkim>
        <spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>${domain}</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>other.example</domain>
        <selector>s2048</selector>
        <result>pass</result>
      </dkim>
      <spf>
        <domain>other.example</domain>
        <result>pass</result>
      </spf>
    </auth_results>
  </record>
</feedback>
`;
}

export function googleTlsRptJson(domain: string, mx: string): string {
  return JSON.stringify({
    "organization-name": "Google Inc.",
    "date-range": { "start-datetime": isoSeconds(T_BEGIN), "end-datetime": isoSeconds(T_END) },
    "contact-info": "smtp-tls-reporting@google.com",
    "report-id": `${isoSeconds(T_BEGIN)}_${domain}`,
    policies: [
      {
        policy: {
          "policy-type": "sts",
          "policy-string": ["version: STSv1", "mode: testing", `mx: ${mx}`, "max_age: 86400"],
          "policy-domain": domain,
          "mx-host": [mx],
        },
        summary: { "total-successful-session-count": 41, "total-failure-session-count": 2 },
        "failure-details": [
          {
            "result-type": "certificate-expired",
            "sending-mta-ip": "209.85.220.41",
            "receiving-mx-hostname": mx,
            "receiving-ip": "192.0.2.10",
            "failed-session-count": 2,
          },
        ],
      },
    ],
  });
}

const CRLF = "\r\n";

function base64Lines(b: Buffer): string {
  return (b.toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
}

function message(o: {
  from: string;
  to: string;
  subject: string;
  id: string;
  contentType: string;
  body: string;
}) {
  return Buffer.from(
    [
      `From: ${o.from}`,
      `To: ${o.to}`,
      `Subject: ${o.subject}`,
      `Message-ID: <${o.id}>`,
      "Date: Sun, 07 Dec 2025 00:30:00 +0000",
      "MIME-Version: 1.0",
      `Content-Type: ${o.contentType}`,
      "",
      o.body,
    ].join(CRLF),
  );
}

function attachment(type: string, name: string, data: Buffer, boundary: string): string {
  return [
    `--${boundary}`,
    `Content-Type: ${type}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(data),
  ].join(CRLF);
}

/** Google: a zip holding one .xml, the body an empty text part and the attachment. */
export function googleZipMessage(domain: string, to: string, xml = googleDmarcXml(domain)): Buffer {
  const name = `google.com!${domain}!${T_BEGIN}!${T_END}`;
  const zip = Buffer.from(zipSync({ [`${name}.xml`]: new TextEncoder().encode(xml) }));
  return zipMessage(domain, to, zip, `${name}.zip`);
}

export function zipMessage(domain: string, to: string, zip: Buffer, name: string): Buffer {
  const b = "000000000000a1b2c3d4e5f6";
  return message({
    from: "noreply-dmarc-support@google.com",
    to,
    subject: `Report domain: ${domain} Submitter: google.com Report-ID: 14253467880099887766`,
    id: "14253467880099887766@google.com",
    contentType: `multipart/mixed; boundary="${b}"`,
    body: [
      `--${b}`,
      'Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes',
      "",
      "",
      attachment("application/zip", name, zip, b),
      `--${b}--`,
      "",
    ].join(CRLF),
  });
}

/** Microsoft: a gzip (.xml.gz) beside a text part. */
export function microsoftGzipMessage(
  domain: string,
  to: string,
  gz = gzipSync(microsoftDmarcXml(domain)),
): Buffer {
  const b = "_mpm_6f0b8c3a2e6d4c1b9a7e5d3c1b0a9f8e_";
  const name = `enterprise.protection.outlook.com!${domain}!${T_BEGIN}!${T_END + 1}.xml.gz`;
  return message({
    from: "DMARC Aggregate Report <dmarcreport@microsoft.com>",
    to,
    subject: `Report Domain: ${domain} Submitter: enterprise.protection.outlook.com Report-ID: 6f0b8c3a2e6d4c1b9a7e5d3c1b0a9f8e`,
    id: "6f0b8c3a2e6d4c1b9a7e5d3c1b0a9f8e@microsoft.com",
    contentType: `multipart/mixed; boundary="${b}"`,
    body: [
      `--${b}`,
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "This is a DMARC aggregate report from Microsoft Corporation.",
      attachment("application/gzip", name, gz, b),
      `--${b}--`,
      "",
    ].join(CRLF),
  });
}

/** Yahoo style, plain XML as the whole body. */
export function yahooPlainMessage(domain: string, to: string, xml = yahooDmarcXml(domain)): Buffer {
  return message({
    from: "noreply@dmarc.yahoo.com",
    to,
    subject: `Report Domain: ${domain} Submitter: Yahoo Report-ID: <1765065600.553177>`,
    id: "1765065600.553177@dmarc.yahoo.com",
    contentType: "text/xml; charset=UTF-8",
    body: xml.replace(/\n/g, CRLF),
  });
}

/** TLS-RPT (RFC 8460 §5.3): multipart/report; report-type="tlsrpt", the gzipped JSON. */
export function tlsRptMessage(
  domain: string,
  to: string,
  json = googleTlsRptJson(domain, `mx.${domain}`),
): Buffer {
  const b = "000000000000tlsrpt00000000";
  const name = `google.com!${domain}!${T_BEGIN}!${T_END}!001.json.gz`;
  return message({
    from: "noreply-smtp-tls-reporting@google.com",
    to,
    subject: `Report Domain: ${domain} Submitter: google.com Report-ID: <2025.12.06T00.00.00Z+${domain}@google.com>`,
    id: `2025.12.06T00.00.00Z+${domain}@google.com`,
    contentType: `multipart/report; report-type="tlsrpt"; boundary="${b}"`,
    body: [
      `--${b}`,
      "Content-Type: text/plain; charset=UTF-8",
      "",
      "This is an aggregate TLS report from google.com",
      attachment("application/tlsrpt+gzip", name, gzipSync(json), b),
      `--${b}--`,
      "",
    ].join(CRLF),
  });
}
