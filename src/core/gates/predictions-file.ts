import { parsePredictions, type Predictions } from './predictions.js';
import { readInputText } from '../inputs/read-input.js';
import { isParquetFile, readParquetPredictions } from './predictions-parquet.js';

/** A predictions file in any supported format: Parquet (by name or magic bytes), else CSV or JSONL. */
export async function readPredictionsFile(path: string, label = path): Promise<Predictions> {
  if (await isParquetFile(path)) return readParquetPredictions(path, label);
  // Read without blocking the event loop (a pipe waiting for its writer stays interruptible).
  return parsePredictions(await readInputText(path, label, 'table'), label);
}
