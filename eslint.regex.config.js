// ESLint runs here for one job only: no regular expression in src/ or web/src/ may backtrack
// super-linearly (ReDoS). Yubin is one process and one event loop for every user (issue 18), so a
// regex that takes quadratic time on a hostile header, command or message stalls the whole mail
// service. Biome stays the linter for everything else (`npm run lint`); `npm run lint:regex` runs
// this in `npm test`.
//
// A finding is fixed by making the regex linear. Where the input is bounded before the regex runs,
// an `eslint-disable-next-line` comment must say what bounds it.
import tsParser from "@typescript-eslint/parser";
import regexp from "eslint-plugin-regexp";

// `new RegExp(x)` / `RegExp(x)` with anything but a literal pattern: a pattern built at run time is
// invisible to the checks above, and one built from client input (LIST patterns, SEARCH) can be
// made to backtrack at will. Each remaining one carries a disable comment saying why it is safe.
const dynamicRegExp = (kind) => ({
  selector: `${kind}[callee.name="RegExp"]:not([arguments.0.type="Literal"])`,
  message:
    "RegExp built at run time: its pattern escapes the ReDoS check. Use a literal, or say in an eslint-disable comment why the pattern is fixed and linear.",
});

export default [
  {
    files: ["src/**/*.ts", "web/src/**/*.ts", "web/src/**/*.tsx"],
    languageOptions: {
      parser: tsParser,
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { regexp },
    rules: {
      "regexp/no-super-linear-backtracking": ["error", { report: "potential" }],
      "regexp/no-super-linear-move": ["error", { report: "potential" }],
      "regexp/no-misleading-capturing-group": "error",
      "no-restricted-syntax": ["error", dynamicRegExp("NewExpression"), dynamicRegExp("CallExpression")],
    },
  },
  {
    // Tests build patterns from their own fixtures (an expected address, a port): no client input.
    files: ["src/**/*.test.ts", "src/testing/**", "src/**/test-*.ts", "web/src/**/*.test.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
];
