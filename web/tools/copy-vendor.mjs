// Copies the chart library from node_modules into web/static/vendor (gitignored), so pages load
// it from our own origin (or the S3 static bucket) and never from a CDN. The source-map comment is
// stripped: the map file is not shipped, and browsers would otherwise request it and log a 404.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendorDir = join(webDir, "static", "vendor");
const assets = [
  ["node_modules/chart.js/dist/chart.umd.js", "chart.umd.js"],
  ["node_modules/chart.js/LICENSE.md", "chart.js.LICENSE.md"],
];

mkdirSync(vendorDir, { recursive: true });
for (const [source, target] of assets) {
  let text = readFileSync(join(webDir, source), "utf8");
  if (target.endsWith(".js")) {
    text = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  }
  writeFileSync(join(vendorDir, target), text);
  console.log(`copied ${source} -> static/vendor/${target} (${text.length.toLocaleString()} bytes)`);
}
