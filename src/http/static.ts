// The one stylesheet (served from our origin, as the CSP requires: no inline styles).
import type { Router } from "./router.js";

const CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header form{margin-left:auto}
main{max-width:72rem;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1rem}
th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
td form{display:inline-flex;gap:.3rem;margin:.1rem 0}
code,pre{font-family:ui-monospace,monospace;word-break:break-all}
.ok{color:#17692e;font-weight:600}.wrong,.missing,.error{color:#a3141c;font-weight:600}
.notice{background:#e7f4ea;border:1px solid #9bd1a9;padding:.5rem}
.flash-error{background:#fbe9ea;border:1px solid #e5a1a5;padding:.5rem}
fieldset{background:#fff;border:1px solid #d5d9e0;margin:.5rem 0}
label{display:inline-block;margin:.2rem .5rem .2rem 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:.6rem;margin:.5rem 0 1rem}
.card{background:#fff;border:1px solid #d5d9e0;border-left:.4rem solid #17692e;padding:.3rem .7rem}
.card h3{margin:.3rem 0;font-size:1rem}.card p{margin:.3rem 0}.card .state{font-weight:400;font-size:.85rem;color:#17692e}
.card-warn{border-left-color:#b7791f}.card-warn .state{color:#8a5a10}
.card-red{border-left-color:#a3141c;background:#fbe9ea}.card-red .state{color:#a3141c;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:.6rem}
figure.chart{margin:0;background:#fff;border:1px solid #d5d9e0;padding:.4rem}svg.chart{display:block;width:100%;height:auto}
figure.chart figcaption{font-size:.85rem;color:#4a5263}
.legend{list-style:none;padding:0;margin:.2rem 0;display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.85rem}
details summary{cursor:pointer;font-size:.85rem;color:#4a5263}`;

export function registerStaticRoutes(router: Router): void {
  router.add({
    method: "GET",
    path: "/static/yubin.css",
    access: "public",
    plainHttp: true,
    handler: async () => ({
      status: 200,
      headers: { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" },
      body: CSS,
    }),
  });
}
