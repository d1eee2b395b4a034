// Turns HCL files into JSON with HashiCorp's own parser and formatter (compiled to WebAssembly in
// npm @cdktf/hcl2json and @cdktf/hcl-tools). This is the only Node step of `drctl infra lint`:
// it judges nothing, it only reports per file the JSON form (or the parser's error) and whether
// `terraform fmt` would change the file. All checks are C++.
//
// usage: node parse.mjs <node_modules dir> <file>...   -> JSON on stdout
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [nodeModules, ...files] = process.argv.slice(2);
if (!nodeModules) {
  process.stderr.write("usage: node parse.mjs <node_modules dir> <file>...\n");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeModules), "_"));
const hcl2json = require("@cdktf/hcl2json");
const hclTools = require("@cdktf/hcl-tools");

function firstDifferentLine(a, b) {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return i + 1;
  }
  return 0;
}

const out = [];
for (const file of files) {
  const entry = { path: file };
  try {
    const text = fs.readFileSync(file, "utf8");
    try {
      entry.json = await hcl2json.parse(path.basename(file), text);
    } catch (e) {
      entry.error = String(e && e.message ? e.message : e);
    }
    if (!entry.error) {
      const formatted = await hclTools.format(text);
      entry.formatted = formatted === text;
      if (!entry.formatted) entry.first_diff_line = firstDifferentLine(text, formatted);
    }
  } catch (e) {
    entry.error = String(e && e.message ? e.message : e);
  }
  out.push(entry);
}
process.stdout.write(JSON.stringify({ files: out }));
