// The spam filter's view of a message: decoded headers, text of plain and HTML parts, links with
// their visible text, attachments; bounded.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hostOf } from "./links.js";
import { buildMessageView } from "./message-view.js";

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, "\r\n"), "utf8");

describe("buildMessageView", () => {
  test("headers decoded (RFC 2047), text from plain and HTML parts, links, attachments", () => {
    const v = buildMessageView(
      crlf(`From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>
Subject: =?ISO-8859-1?Q?Caf=E9?= offer
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: multipart/alternative; boundary="b2"

--b2
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Visit https://shop.example.com/x?y=1, or www.other.example.
--b2
Content-Type: text/html; charset=utf-8

<p>Hi<style>p{}</style> <A HREF="http://evil.example:8080/login">https://bank.example.com</a>
<a class=x href=https://plain.example/>click <abbr>&amp;</abbr> win</A><abbr>no</abbr></p>
--b2--
--b1
Content-Type: application/octet-stream; name="invoice.pdf.exe"
Content-Disposition: attachment
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
--b1--
`),
    );
    assert.equal(v.subject, "Café offer");
    assert.equal(v.headers.find((h) => h.name === "from")?.value, "山田 <yamada@example.jp>");
    assert.match(v.text, /^Visit https:\/\/shop\.example\.com\/x\?y=1, or www\.other\.example\.\r?\n/);
    assert.match(v.text, /Hi +https:\/\/bank\.example\.com/);
    assert.doesNotMatch(v.text, /p\{\}/, "style content is not text");
    assert.deepEqual(v.links, [
      { url: "http://evil.example:8080/login", host: "evil.example", text: "https://bank.example.com" },
      { url: "https://plain.example/", host: "plain.example", text: "click & win" },
      { url: "https://shop.example.com/x?y=1", host: "shop.example.com", text: "" },
      { url: "www.other.example", host: "www.other.example", text: "" },
    ]);
    assert.deepEqual(v.attachments, [
      { filename: "invoice.pdf.exe", contentType: "application/octet-stream", size: 76 },
    ]);
    assert.equal(v.truncated, false);
  });

  test("at most maxTextBytes of text are decoded, at most maxLinks links kept", () => {
    const big = `Subject: big\n\n${"word http://a.example/ ".repeat(20_000)}\n`;
    const v = buildMessageView(crlf(big), { maxTextBytes: 1000, maxLinks: 7 });
    assert.equal(v.truncated, true);
    assert.ok(v.text.length <= 1000);
    assert.equal(v.links.length, 7);
  });

  test("hostOf: hosts of absolute, protocol-relative and www. URLs; none for others", () => {
    assert.equal(hostOf("HTTPS://User:pw@Host.Example.:443/p"), "host.example");
    assert.equal(hostOf("//cdn.example/x"), "cdn.example");
    assert.equal(hostOf("http://[2001:db8::1]:80/"), "[2001:db8::1]");
    assert.equal(hostOf("http://evil.example\\@good.example/"), "evil.example");
    assert.equal(hostOf("mailto:a@b.example"), "");
    assert.equal(hostOf("/relative"), "");
  });
});
