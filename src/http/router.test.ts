import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { textResponse } from "./response.js";
import { matchPath, Router } from "./router.js";

const ok = async () => textResponse("ok");

describe("router", () => {
  test("matchPath: static segments, decoded params, an encoded slash stays inside its param", () => {
    assert.deepEqual(matchPath("/admin/users/:id", "/admin/users/42", false), { id: "42" });
    assert.deepEqual(matchPath("/d/:domain/dns", "/d/a%2Fb.test/dns", false), { domain: "a/b.test" });
    assert.equal(matchPath("/admin/users/:id", "/admin/users/", false), null);
    assert.equal(matchPath("/admin/users/:id", "/admin/users/1/x", false), null);
    assert.equal(matchPath("/d/:x", "/d/%E0%A4%A", false), null); // malformed escape: no match
    assert.equal(matchPath("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml", false), null);
    assert.deepEqual(matchPath("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml", true), {});
  });

  test("match: found, wrong method with the allowed list, HEAD as GET, none", () => {
    const r = new Router();
    r.add({ method: "GET", path: "/a/:id", access: "public", handler: ok });
    r.add({ method: "POST", path: "/a/:id", access: "admin", handler: ok });
    r.add({ method: "POST", path: "/b", access: "user", handler: ok });
    const found = r.match("POST", "/a/7");
    assert.equal(found.kind, "found");
    assert.equal(found.kind === "found" && found.route.access, "admin");
    assert.equal(r.match("HEAD", "/a/7").kind, "found");
    assert.deepEqual(r.match("GET", "/b"), { kind: "wrong-method", allowed: ["POST"] });
    assert.deepEqual(r.match("GET", "/c"), { kind: "none" });
    assert.deepEqual(
      r.routes().map((x) => `${x.method} ${x.path} ${x.access}`),
      ["GET /a/:id public", "POST /a/:id admin", "POST /b user"],
    );
  });

  test("a route added twice is a programming error", () => {
    const r = new Router();
    r.add({ method: "GET", path: "/x", access: "public", handler: ok });
    assert.throws(() => r.add({ method: "GET", path: "/x", access: "user", handler: ok }), /added twice/);
  });
});
