// Extracts a compact AWS provider schema from the 130 MB .jsii in npm @cdktf/provider-aws, so the
// C++ schema check reads a few MB instead. Run once per provider version; the caller caches the
// output (never tracked).
//
// usage: node extract-schema.mjs <node_modules dir> <output file>
//
// Output: { package_version, provider_version,
//           resource: { <tf type>: <struct id> }, data: { <tf type>: <struct id> },
//           structs: { <struct id>: { attrs: { <name>: required(0|1) },
//                                     blocks: { <name>: { required: 0|1, struct: <struct id> } } } } }
import fs from "node:fs";
import path from "node:path";

const [nodeModules, outFile] = process.argv.slice(2);
if (!nodeModules || !outFile) {
  process.stderr.write("usage: node extract-schema.mjs <node_modules dir> <output file>\n");
  process.exit(2);
}
const pkgDir = path.join(nodeModules, "@cdktf", "provider-aws");
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
const jsii = JSON.parse(fs.readFileSync(path.join(pkgDir, ".jsii"), "utf8"));
const types = jsii.types;

// "{@link https://.../docs/resources/rds_cluster#engine RdsCluster#engine}" -> "engine"
// The remarks hold the link when the summary is prose (which may link the provider docs too).
function snakeName(prop) {
  const link = /\/docs\/(?:resources|data-sources)\/[a-z0-9_]+#([a-z0-9_]+) /;
  const m = (prop.docs?.remarks ?? "").match(link) ?? (prop.docs?.summary ?? "").match(link);
  return m ? m[1] : null;
}

function structOf(type) {
  if (!type) return null;
  if (type.fqn && types[type.fqn]?.datatype) return type.fqn;
  if (type.collection) return structOf(type.collection.elementtype);
  if (type.union) {
    for (const t of type.union.types) {
      const s = structOf(t);
      if (s) return s;
    }
  }
  return null;
}

const structs = {};
function addStruct(fqn) {
  if (structs[fqn]) return;
  const entry = { attrs: {}, blocks: {} };
  structs[fqn] = entry;
  const seen = new Set();
  const visit = (t) => {
    if (!t || seen.has(t.fqn)) return;
    seen.add(t.fqn);
    for (const p of t.properties ?? []) {
      const name = snakeName(p);
      if (!name) continue; // meta-arguments (count, provider, ...) come from cdktf, not the provider
      const required = p.optional ? 0 : 1;
      const s = structOf(p.type);
      if (s) {
        entry.blocks[name] = { required, struct: s };
        addStruct(s);
      } else {
        entry.attrs[name] = required;
      }
    }
    for (const i of t.interfaces ?? []) visit(types[i]);
  };
  visit(types[fqn]);
}

const out = { package_version: pkg.version, provider_version: null, resource: {}, data: {}, structs };
for (const [fqn, t] of Object.entries(types)) {
  if (t.kind !== "class" || !t.initializer) continue;
  const m = (t.docs?.summary ?? "").match(
    /registry\.terraform\.io\/providers\/hashicorp\/aws\/([0-9.]+)\/docs\/(resources|data-sources)\/[a-z0-9_]+ (aws_[a-z0-9_]+)\}/,
  );
  if (!m) continue;
  const config = t.initializer.parameters?.find((p) => p.name === "config");
  const cfg = structOf(config?.type);
  if (!cfg) continue;
  out.provider_version = m[1];
  addStruct(cfg);
  (m[2] === "resources" ? out.resource : out.data)[m[3]] = cfg;
}
// Parallel test processes may extract at once: each writes its own file, then renames it into
// place atomically.
const tmp = `${outFile}.${process.pid}.tmp`;
fs.writeFileSync(tmp, JSON.stringify(out));
fs.renameSync(tmp, outFile);
process.stdout.write(
  `${Object.keys(out.resource).length} resources, ${Object.keys(out.data).length} data sources, provider ${out.provider_version}\n`,
);
