// Child of bench/parquet.mjs: reads one predictions file with the built library and prints the
// milliseconds the read took (module loading excluded) and the rows read.
import { readPredictionsFile } from '../dist/lib.js';

const t0 = performance.now();
const p = await readPredictionsFile(process.argv[2]);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, rows: p.ids.length }));
