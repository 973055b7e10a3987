// Print the scenario JSON Schema; regenerate the committed copy with
//   npx tsx src/engine/scenario/write-schema.ts > schemas/perf.schema.json
// (a unit test fails when the committed file is out of date).

import { schemaJsonText } from './schema';

process.stdout.write(schemaJsonText());
