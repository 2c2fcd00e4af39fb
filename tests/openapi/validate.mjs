// Validates an OpenAPI document (file path argument) against the OpenAPI 3 schema with
// @apidevtools/swagger-parser: structure, $refs, and path parameters. Exit 0 when valid.
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs openapi.json");
  process.exit(2);
}
try {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const api = await SwaggerParser.validate(doc);
  console.log(`valid OpenAPI ${api.openapi}: ${Object.keys(api.paths).length} paths`);
} catch (e) {
  console.error(`invalid OpenAPI document: ${e.message}`);
  process.exit(1);
}
