import { DuckDBInstance } from '@duckdb/node-api';

/**
 * DuckDB (a devDependency shipping its own native build) as an independent Parquet writer: test
 * files are written by a real engine, never by mlctl's reader's own library or by hand.
 */
export async function duckdb(statements: string[]): Promise<Array<Record<string, unknown>>> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    let rows: Array<Record<string, unknown>> = [];
    for (const sql of statements)
      rows = (await (await conn.run(sql)).getRowObjectsJS()) as Array<Record<string, unknown>>;
    return rows;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `COPY (select) TO file (FORMAT parquet, …)`: options such as `COMPRESSION zstd`, `ROW_GROUP_SIZE 1000`. */
export async function writeParquet(select: string, file: string, options: string[] = []): Promise<void> {
  await duckdb([`COPY (${select}) TO ${q(file)} (${['FORMAT parquet', ...options].join(', ')})`]);
}

/** The encodings and codec of each column chunk, as the file's own metadata records them. */
export async function parquetLayout(
  file: string,
): Promise<Array<{ column: string; type: string; encodings: string; compression: string }>> {
  const rows = await duckdb([
    `SELECT path_in_schema AS column, type, encodings, compression FROM parquet_metadata(${q(file)})`,
  ]);
  return rows as Array<{ column: string; type: string; encodings: string; compression: string }>;
}

/** A CSV of the same select (DuckDB's own CSV writer), for comparing the two readers. */
export async function writeCsv(select: string, file: string): Promise<void> {
  await duckdb([`COPY (${select}) TO ${q(file)} (HEADER, DELIMITER ',')`]);
}
