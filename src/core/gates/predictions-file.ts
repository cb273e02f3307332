import { readPredictions, type Predictions } from './predictions.js';
import { isParquetFile, readParquetPredictions } from './predictions-parquet.js';

/** A predictions file in any supported format: Parquet (by name or magic bytes), else CSV or JSONL. */
export async function readPredictionsFile(path: string, label = path): Promise<Predictions> {
  if (await isParquetFile(path)) return readParquetPredictions(path, label);
  return readPredictions(path, label);
}
