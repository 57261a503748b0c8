// Builds the committed CSS and JS from npm packages, and records a hash of the inputs
// so that a test can tell when the built files are out of date.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, readdirSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as sass from "sass";

const out = "../signpost/site/static/site";
mkdirSync(out, { recursive: true });

const css = sass.compile("src/signpost.scss", { loadPaths: ["node_modules", "src"], style: "compressed" });
writeFileSync(join(out, "signpost.css"), css.css + "\n");
copyFileSync("src/signpost.js", join(out, "signpost.js"));

writeFileSync(join(out, "build-inputs.sha256"), inputsHash() + "\n");
console.log("built", out);

export function inputsHash() {
  const hash = createHash("sha256");
  const files = ["package-lock.json", ...readdirSync("src").sort().map((f) => join("src", f))];
  for (const file of files) {
    hash.update(file + "\0");
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}
