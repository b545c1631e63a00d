// Types for the helpers of mailauth 4.x we call directly (lib/tools.js, no typings of its own):
// the Authentication-Results item formatter and the DMARC alignment check, so our DKIM results
// read exactly as mailauth's did. package.json pins mailauth ^4.13.3; authenticate.test.ts compares
// our Authentication-Results with mailauth's own authenticate() on a corpus.
declare module "mailauth/lib/tools.js" {
  export function formatAuthHeaderRow(method: string, status: object): string;
  export function getAlignment(
    fromDomain: string,
    domainList: (string | { domain: string })[],
    strict?: boolean,
  ): { domain: string } | false;
  /** Lower case, trimmed, punycode.toASCII (errors ignored): how it compares domain names. */
  export function formatDomain(domain: string): string;
  /** Its tag and Authentication-Results parser (parse-dkim-headers.js): arc-verify.ts reads the
   *  newest ARC-Authentication-Results with it, so arc=pass's comment is worded as mailauth's. */
  export function parseDkimHeaders(line: Buffer | string): {
    parsed: Record<string, unknown>;
    original: Buffer;
  };
}
