import { parquetMetadata, parquetSchema } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { convert, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { getMaxDefinitionLevel } from 'hyparquet/src/schema.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import type {
  ColumnChunk,
  Compressors,
  DecodedArray,
  FileMetaData,
  PageHeader,
  ParquetParsers,
  SchemaTree,
} from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { UsageError } from '../../errors.js';

/**
 * Flat (one value per row) columns of a Parquet file, decoded straight into typed arrays.
 *
 * hyparquet does the format: footer and page headers (thrift), codecs (snappy built in; zstd,
 * gzip, brotli, lz4 from hyparquet-compressors, loaded only for files that use them), dictionary
 * pages, every encoding and logical
 * type. What is done here is the last step for flat columns: its generic path assembles each value
 * through Dremel list reconstruction and per-value byte views, which costs several times a CSV
 * parse of the same rows, so the common pages (PLAIN numbers and strings, dictionary indices,
 * RLE definition levels) are read in place; anything else goes through hyparquet's page reader.
 */

/** Where a column's values go: finite numbers (anything else is a located error) or text. */
export type ColumnSink =
  { kind: 'num'; name: string; out: Float64Array } | { kind: 'str'; name: string; out: string[] };

export interface ParquetTable {
  rows: number;
  /** Top-level columns with one value per row, in file order. */
  flat: string[];
  /** Top-level lists, maps and structs. */
  nested: string[];
  /** key/value metadata of the footer (pandas and arrow schemas, writer names). */
  metadata: FileMetaData;
  /** Decompressors beyond hyparquet's own snappy, when the file needs them. */
  compressors?: Compressors;
}

const utf8 = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;

/** Bytes [a, b) as one flat string by Node's native UTF-8 decoder, several times cheaper than TextDecoder per value. */
function text(bytes: Uint8Array, a: number, b: number): string {
  return utf8.call(bytes, a, b);
}

const parsers: ParquetParsers = {
  ...DEFAULT_PARSERS,
  stringFromBytes: (bytes: Uint8Array | undefined) => (bytes ? text(bytes, 0, bytes.length) : (bytes as never)),
};

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v) ?? String(v);
}

export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** A number as the CSV reader would take it: numbers, integers, booleans, numeric text. NaN otherwise. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function notFinite(file: string, row: number, column: string, v: unknown): UsageError {
  return new UsageError(`${file}: row ${row}: ${column} must be a finite number, got ${describe(v)}`);
}

/** The non-null values of one page, in the cheapest form its encoding allows. */
type Values =
  | { kind: 'f64'; data: Float64Array }
  | { kind: 'i64'; data: BigInt64Array }
  | { kind: 'str'; data: string[] }
  | { kind: 'dict'; idx: Int32Array }
  | { kind: 'any'; data: DecodedArray };

interface Chunk {
  file: string;
  sink: ColumnSink;
  decoder: ColumnDecoder;
  maxDef: number;
  dictionary?: DecodedArray;
  /** The dictionary as the sink wants it, converted once per dictionary page. */
  dictNum?: Float64Array;
  dictText?: string[];
}

/** A type whose raw values are what they mean (no timestamp, decimal or unsigned conversion). */
function plainLogical(decoder: ColumnDecoder): boolean {
  const e = decoder.element;
  if (decoder.type === 'BYTE_ARRAY')
    return e.converted_type === 'UTF8' || e.logical_type?.type === 'STRING' || (!e.converted_type && !e.logical_type);
  if (decoder.type === 'INT32' || decoder.type === 'INT64') {
    const lt = e.logical_type;
    if (lt) return lt.type === 'INTEGER' && lt.isSigned;
    return !e.converted_type || /^INT_(8|16|32|64)$/.test(e.converted_type);
  }
  return decoder.type === 'DOUBLE' || decoder.type === 'FLOAT';
}

function plainValues(bytes: Uint8Array, at: number, n: number, decoder: ColumnDecoder): Values {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = decoder.type;
  if (type === 'BYTE_ARRAY') {
    const data = new Array<string>(n);
    let p = at;
    for (let i = 0; i < n; i++) {
      if (p + 4 > bytes.byteLength) throw new Error('page holds fewer values than its header says');
      const end = p + 4 + view.getUint32(p, true);
      if (end > bytes.byteLength) throw new Error('a string runs past the end of its page');
      data[i] = text(bytes, p + 4, end);
      p = end;
    }
    return { kind: 'str', data };
  }
  const width = type === 'DOUBLE' || type === 'INT64' ? 8 : 4;
  if (at + n * width > bytes.byteLength) throw new Error('page holds fewer values than its header says');
  if (type === 'INT64') {
    const data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getBigInt64(at + 8 * i, true);
    return { kind: 'i64', data };
  }
  const data = new Float64Array(n);
  if (type === 'DOUBLE') for (let i = 0; i < n; i++) data[i] = view.getFloat64(at + 8 * i, true);
  else if (type === 'FLOAT') for (let i = 0; i < n; i++) data[i] = view.getFloat32(at + 4 * i, true);
  else for (let i = 0; i < n; i++) data[i] = view.getInt32(at + 4 * i, true);
  return { kind: 'f64', data };
}

function dictionaryIndices(bytes: Uint8Array, at: number, n: number): Values {
  const idx = new Int32Array(n);
  if (n === 0) return { kind: 'dict', idx };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint8(at);
  if (width > 32) throw new Error(`dictionary index width ${width}`);
  if (width) readRleBitPackedHybrid({ view, offset: at + 1 }, width, idx, bytes.byteLength - at - 1);
  return { kind: 'dict', idx };
}

/** Definition levels of a flat optional column (bit width 1); `nulls` 0 means every row has a value. */
function levels(
  view: DataView,
  at: number,
  n: number,
  length?: number,
): { defs: Uint8Array; nulls: number; end: number } {
  const defs = new Uint8Array(n);
  const reader = { view, offset: at };
  readRleBitPackedHybrid(reader, 1, defs, length);
  let nulls = 0;
  for (let i = 0; i < n; i++) nulls += 1 - defs[i]!;
  return { defs, nulls, end: reader.offset };
}

const NO_DEFS = new Uint8Array(0);

/** One data page: its row count, definition levels (empty: no nulls) and non-null values. */
function decodePage(
  bytes: Uint8Array,
  header: PageHeader,
  c: Chunk,
): { count: number; defs: ArrayLike<number>; values: Values } {
  const d = c.decoder;
  const fastType = plainLogical(d) && d.type !== 'BOOLEAN';
  const fast = (encoding: string) =>
    c.maxDef <= 1 &&
    ((encoding === 'PLAIN' && fastType) || encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY');
  if (header.type === 'DATA_PAGE') {
    const h = header.data_page_header;
    if (!h) throw new Error('data page header is missing');
    const raw = decompressPage(bytes, Number(header.uncompressed_page_size), d.codec, d.compressors);
    if (fast(h.encoding) && (!c.maxDef || h.definition_level_encoding === 'RLE')) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const lv = c.maxDef ? levels(view, 0, h.num_values) : { defs: NO_DEFS, nulls: 0, end: 0 };
      const n = h.num_values - lv.nulls;
      const values = h.encoding === 'PLAIN' ? plainValues(raw, lv.end, n, d) : dictionaryIndices(raw, lv.end, n);
      return { count: h.num_values, defs: lv.nulls ? lv.defs : NO_DEFS, values };
    }
    const page = readDataPage(raw, h, d);
    if (page.repetitionLevels.length) throw new Error('repeated values in a flat column');
    return {
      count: h.num_values,
      defs: page.definitionLevels ?? NO_DEFS,
      values: generic(page.dataPage, h.encoding, c),
    };
  }
  const h = header.data_page_header_v2;
  if (!h) throw new Error('data page header v2 is missing');
  if (fast(h.encoding) && !h.repetition_levels_byte_length) {
    const defLen = h.definition_levels_byte_length;
    if (defLen > bytes.byteLength) throw new Error('definition levels run past the page');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const lv = c.maxDef ? levels(view, 0, h.num_values, defLen) : { defs: NO_DEFS, nulls: 0, end: 0 };
    let raw = bytes.subarray(defLen);
    const size = Number(header.uncompressed_page_size) - defLen;
    if (h.is_compressed !== false && size) raw = decompressPage(raw, size, d.codec, d.compressors);
    const n = h.num_values - lv.nulls;
    const values = h.encoding === 'PLAIN' ? plainValues(raw, 0, n, d) : dictionaryIndices(raw, 0, n);
    return { count: h.num_values, defs: lv.nulls ? lv.defs : NO_DEFS, values };
  }
  const page = readDataPageV2(bytes, header, d);
  if (page.repetitionLevels.length) throw new Error('repeated values in a flat column');
  return { count: h.num_values, defs: page.definitionLevels ?? NO_DEFS, values: generic(page.dataPage, h.encoding, c) };
}

function generic(data: DecodedArray, encoding: string, c: Chunk): Values {
  if (encoding.endsWith('_DICTIONARY')) return { kind: 'dict', idx: Int32Array.from(data as ArrayLike<number>) };
  return { kind: 'any', data: convert(data, c.decoder) };
}

function dictionaryFor(c: Chunk): DecodedArray {
  if (!c.dictionary) throw new Error('dictionary-encoded page without a dictionary');
  return c.dictionary;
}

/** Write one page's values into rows [at, at + count) of the sink. */
function writePage(c: Chunk, at: number, count: number, defs: ArrayLike<number>, v: Values): void {
  const { sink, file } = c;
  const nonNull = count - (defs.length ? countNulls(defs, c.maxDef) : 0);
  const have = v.kind === 'dict' ? v.idx.length : v.data.length;
  if (have < nonNull) throw new Error(`column ${sink.name} has fewer values than its page header says`);
  if (v.kind === 'dict') {
    const dict = dictionaryFor(c);
    for (let k = 0; k < nonNull; k++)
      if (v.idx[k]! >= dict.length || v.idx[k]! < 0) throw new Error(`dictionary index ${v.idx[k]} out of range`);
  }
  if (sink.kind === 'num') {
    const out = sink.out;
    if (defs.length) {
      for (let i = 0; i < count; i++) if (defs[i] !== c.maxDef) throw notFinite(file, at + i + 1, sink.name, null);
    }
    if (v.kind === 'f64') {
      const data = v.data;
      for (let i = 0; i < count; i++) {
        const x = data[i]!;
        if (!Number.isFinite(x)) throw notFinite(file, at + i + 1, sink.name, x);
        out[at + i] = x;
      }
    } else if (v.kind === 'dict') {
      const dict = dictionaryFor(c);
      c.dictNum ??= Float64Array.from(dict as ArrayLike<unknown>, toNumber);
      const num = c.dictNum;
      for (let i = 0; i < count; i++) {
        const x = num[v.idx[i]!]!;
        if (!Number.isFinite(x)) throw notFinite(file, at + i + 1, sink.name, dict[v.idx[i]!]);
        out[at + i] = x;
      }
    } else {
      const data = v.data as ArrayLike<unknown>;
      for (let i = 0; i < count; i++) {
        const x = toNumber(data[i]);
        if (!Number.isFinite(x)) throw notFinite(file, at + i + 1, sink.name, data[i]);
        out[at + i] = x;
      }
    }
    return;
  }
  const out = sink.out;
  let get: (k: number) => string;
  if (v.kind === 'str') {
    const data = v.data;
    if (!defs.length) {
      for (let i = 0; i < count; i++) out[at + i] = data[i]!;
      return;
    }
    get = (k) => data[k]!;
  } else if (v.kind === 'dict') {
    const dict = dictionaryFor(c);
    c.dictText ??= Array.from(dict as ArrayLike<unknown>, asText);
    const t = c.dictText;
    const idx = v.idx;
    if (!defs.length) {
      for (let i = 0; i < count; i++) out[at + i] = t[idx[i]!]!;
      return;
    }
    get = (k) => t[idx[k]!]!;
  } else {
    const data = v.data as ArrayLike<unknown>;
    get = (k) => asText(data[k]);
  }
  let k = 0;
  for (let i = 0; i < count; i++) out[at + i] = defs.length && defs[i] !== c.maxDef ? '' : get(k++);
}

function countNulls(defs: ArrayLike<number>, maxDef: number): number {
  let nulls = 0;
  for (let i = 0; i < defs.length; i++) if (defs[i] !== maxDef) nulls++;
  return nulls;
}

/** Read one column chunk's pages into rows [rowStart, rowStart + rows) of the sink. */
function readChunk(
  buf: ArrayBuffer,
  chunk: ColumnChunk,
  schemaPath: SchemaTree[],
  sink: ColumnSink,
  rowStart: number,
  rows: number,
  file: string,
  compressors: Compressors | undefined,
): void {
  const meta = chunk.meta_data;
  if (!meta) throw new Error('column metadata is missing');
  if (chunk.file_path) throw new Error('columns stored in other files are not supported');
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const end = start + Number(meta.total_compressed_size);
  if (!(start >= 0 && end <= buf.byteLength && start < end)) throw new Error('column chunk outside the file');
  const element = schemaPath[schemaPath.length - 1]!.element;
  const c: Chunk = {
    file,
    sink,
    decoder: {
      pathInSchema: meta.path_in_schema,
      type: meta.type,
      element,
      schemaPath,
      codec: meta.codec,
      parsers,
      compressors,
    },
    maxDef: getMaxDefinitionLevel(schemaPath),
  };
  const reader = { view: new DataView(buf, start, end - start), offset: 0 };
  let row = 0;
  while (row < rows) {
    if (reader.offset >= reader.view.byteLength)
      throw new Error(`column ${sink.name} ends after ${row} of ${rows} rows`);
    const header = parquetHeader(reader);
    const size = header.compressed_page_size;
    if (!(size >= 0 && reader.offset + size <= reader.view.byteLength)) throw new Error('page runs past its column');
    const bytes = new Uint8Array(buf, start + reader.offset, size);
    reader.offset += size;
    if (header.type === 'DICTIONARY_PAGE') {
      const h = header.dictionary_page_header;
      if (!h) throw new Error('dictionary page header is missing');
      const raw = decompressPage(bytes, Number(header.uncompressed_page_size), c.decoder.codec, compressors);
      const dv = { view: new DataView(raw.buffer, raw.byteOffset, raw.byteLength), offset: 0 };
      c.dictionary = convert(readPlain(dv, c.decoder.type, h.num_values, element.type_length), c.decoder);
      c.dictNum = undefined;
      c.dictText = undefined;
      continue;
    }
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue; // index pages
    const { count, defs, values } = decodePage(bytes, header, c);
    if (row + count > rows) throw new Error(`column ${sink.name} has more values than its row group`);
    writePage(c, rowStart + row, count, defs, values);
    row += count;
  }
}

/** The footer of an in-memory Parquet file, which top-level columns are flat, the codecs it needs. */
export async function openParquet(buf: ArrayBuffer, file: string): Promise<ParquetTable> {
  const head = new Uint8Array(buf, 0, Math.min(4, buf.byteLength));
  if (buf.byteLength < 12 || String.fromCharCode(...head) !== 'PAR1')
    throw new UsageError(`${file}: not a Parquet file (it does not start with PAR1)`);
  const metadata = parquetMetadata(buf);
  const rows = Number(metadata.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`row count ${metadata.num_rows}`);
  const tree = parquetSchema(metadata);
  const flat: string[] = [];
  const nested: string[] = [];
  for (const child of tree.children) {
    const plain = child.children.length === 0 && child.element.repetition_type !== 'REPEATED';
    (plain ? flat : nested).push(child.element.name);
  }
  const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
  codecs.delete('UNCOMPRESSED');
  codecs.delete('SNAPPY');
  // zstd, gzip, brotli, lz4: ~50 ms of module loading that snappy files (the default) do not pay.
  const compressors = codecs.size ? (await import('hyparquet-compressors')).compressors : undefined;
  return { rows, flat, nested, metadata, compressors };
}

/** Decode the named flat columns into their sinks (each sized to the table's rows). */
export function readFlatColumns(
  buf: ArrayBuffer,
  table: ParquetTable,
  sinks: Map<string, ColumnSink>,
  file: string,
): void {
  const tree = parquetSchema(table.metadata);
  const paths = new Map<string, SchemaTree[]>();
  for (const child of tree.children) if (sinks.has(child.element.name)) paths.set(child.element.name, [tree, child]);
  let rowStart = 0;
  for (const group of table.metadata.row_groups) {
    const rows = Number(group.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0 || rowStart + rows > table.rows)
      throw new Error('row groups disagree with the row count');
    const seen = new Set<string>();
    for (const chunk of group.columns) {
      const path = chunk.meta_data?.path_in_schema;
      const sink = path?.length === 1 ? sinks.get(path[0]!) : undefined;
      if (!sink) continue;
      readChunk(buf, chunk, paths.get(sink.name)!, sink, rowStart, rows, file, table.compressors);
      seen.add(sink.name);
    }
    for (const name of sinks.keys()) if (!seen.has(name)) throw new Error(`row group without column ${name}`);
    rowStart += rows;
  }
  if (rowStart !== table.rows) throw new Error('row groups disagree with the row count');
}
