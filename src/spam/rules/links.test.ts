import assert from "node:assert/strict";
import { test } from "node:test";
import { linkRules, shownHost } from "./links.js";
import { message, names } from "./test-input.js";

function html(body: string): string {
  return message("MIME-Version: 1.0\nContent-Type: text/html", `<html><body>${body}</body></html>\n`);
}

test("links: shown host, bare IPs, shorteners", () => {
  const cases: [string, string[]][] = [
    ['<a href="https://bank.example/login">https://bank.example/login</a>', []],
    ['<a href="https://www.bank.example/">bank.example</a>', []],
    ['<a href="https://login.bank.example/">https://www.bank.example</a>', []],
    ['<a href="http://evil.example/x">https://www.bank.example/login</a>', ["LINK_TEXT_MISMATCH"]],
    ['<a href="http://evil.example/x">Click here</a>', []],
    ['<a href="http://192.0.2.9/x">offer</a>', ["LINK_BARE_IP"]],
    ['<a href="https://bit.ly/abc">offer</a>', ["LINK_SHORTENER"]],
  ];
  for (const [body, want] of cases) assert.deepEqual(names(linkRules, html(body)), want, body);
});

test("the host a link's text shows", () => {
  assert.equal(shownHost("https://user@bank.example:443/x"), "bank.example");
  assert.equal(shownHost("www.bank.example"), "www.bank.example");
  assert.equal(shownHost("bank"), null);
  assert.equal(shownHost("click here"), null);
});
