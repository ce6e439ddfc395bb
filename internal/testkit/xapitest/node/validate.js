// Reads xAPI statements, one JSON object a line, on stdin, and prints one
// line per statement: [] when valid, else the validator's warnings.
const validate = require("xapi-validation").default;
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.trim() !== "");
for (const line of lines) {
  let warnings;
  try {
    warnings = validate(JSON.parse(line)).map((w) => ({ path: w.path, message: w.message || String(w) }));
  } catch (e) {
    warnings = [{ path: [], message: "not JSON or not validated: " + e.message }];
  }
  process.stdout.write(JSON.stringify(warnings) + "\n");
}
