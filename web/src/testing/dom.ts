// The browser's HTML parser, in Node: jsdom's DOMParser, which runs the HTML standard's parsing
// algorithm (parse5) as browsers do, with scripting disabled as in DOMParser and in our sandboxed
// frame. For the webmail's unit tests and fuzz targets of DOM code, e.g.:
//   sanitizeHtml(html, { allowRemote: false, cidUrl: () => null, parse: parseHtml })
import { JSDOM } from "jsdom";

const { DOMParser } = new JSDOM("").window;

export function parseHtml(html: string): Document {
  return new DOMParser().parseFromString(html, "text/html");
}
