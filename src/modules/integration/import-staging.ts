import { parse } from 'csv-parse';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { EntityManager } from 'typeorm';
import { DomainError } from '../../platform/http/domain-error.js';

const REPLACEMENT = '\uFFFD';

/**
 * Limits of a multipart import upload (@fastify/multipart): one file of at most the import limit
 * (one byte more, so that a file over it is seen and refused with 413), and a few small fields.
 */
export function multipartLimits(maxBytes: number) {
  return { fileSize: maxBytes + 1, files: 1, fields: 5, fieldSize: 100_000, parts: 10 };
}

/** Counts the bytes of an upload and stops it with 413 past the limit. */
export class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit)
      return done(
        new DomainError(
          'PAYLOAD_TOO_LARGE',
          `The file is larger than the import limit of ${this.limit} bytes (IMPORT_MAX_BYTES).`,
        ),
      );
    done(null, chunk);
  }
}

/** One line of an upload as staged: its number, its content, and why it could not be read. */
export interface StagedLine {
  lineNo: number;
  /** CSV: the record's cells; NDJSON: the line's text; a malformed line: its text, when known */
  value: string[] | string | null;
  parseError: string | null;
}

/** A staged line's text as the error file shows it (a CSV record: its cells as a JSON array). */
export function rawOf(line: StagedLine): string | null {
  return line.value === null || typeof line.value === 'string' ? line.value : JSON.stringify(line.value);
}

/** A line's text problem (bad UTF-8, NUL), or null. */
function textProblem(text: string): string | null {
  if (text.includes(REPLACEMENT)) return 'the line is not valid UTF-8';
  if (text.includes('\u0000')) return 'the line contains a NUL character';
  return null;
}

/** The first text problem among a record's cells, or null (without joining them into one string). */
function cellsProblem(cells: readonly string[]): string | null {
  for (const cell of cells) {
    const problem = textProblem(cell);
    if (problem) return problem;
  }
  return null;
}

/**
 * CSV records of a stream, parsed as they arrive (csv-parse, never the whole file in memory): the
 * header first (line 1), then one StagedLine per record with the line it starts on. A malformed
 * record (an unclosed quote) becomes a StagedLine with its parse error; bad UTF-8 too. The parser
 * is attached at once (not when iteration starts), so an upload error is never missed.
 */
export function csvLines(input: Readable, onHeader: (header: string[]) => void): AsyncGenerator<StagedLine> {
  // Parser-side line bookkeeping: on_record and 'skip' run in file order as the parser goes.
  let parsedTo = 0;
  const skipped: StagedLine[] = [];
  const parser = parse({
    bom: true,
    skip_records_with_error: true,
    relax_column_count: true,
    on_record: (cells: string[], context: { lines: number }): string[] => {
      const start = parsedTo + 1;
      parsedTo = context.lines;
      return { cells, start } as unknown as string[];
    },
  });
  parser.on('skip', (err: Error & { lines?: number; raw?: string }) => {
    const raw = typeof err.raw === 'string' ? err.raw.replace(/\u0000/g, '') : null;
    skipped.push({ lineNo: parsedTo + 1, value: raw, parseError: `malformed CSV: ${err.message}` });
    parsedTo = err.lines ?? parsedTo + 1;
  });
  // An upload error (413, a lost client) ends the parse and is thrown after it.
  let failure: Error | undefined;
  parser.on('error', (e) => (failure ??= e));
  input.on('error', (e) => {
    failure ??= e;
    parser.end();
  });
  input.pipe(parser);
  return (async function* () {
    let header: string[] | null = null;
    const items = (async function* () {
      try {
        yield* parser as AsyncIterable<{ cells: string[]; start: number }>;
      } catch (e) {
        throw failure ?? e;
      }
      if (failure) throw failure;
    })();
    for await (const item of items) {
      while (skipped.length) yield skipped.shift()!;
      if (!header) {
        header = item.cells.map((h) => h.trim());
        onHeader(header);
        continue;
      }
      if (item.cells.length === 1 && item.cells[0].trim() === '') continue;
      const problem = cellsProblem(item.cells);
      yield problem
        ? {
            lineNo: item.start,
            value: JSON.stringify(item.cells.map((c) => c.replace(/\u0000/g, ''))),
            parseError: problem,
          }
        : { lineNo: item.start, value: item.cells, parseError: null };
    }
    while (skipped.length) yield skipped.shift()!;
    if (!header) throw new DomainError('VALIDATION_FAILED', 'The CSV file is empty: it needs a header line.');
  })();
}

/** NDJSON lines of a stream (split as they arrive); blank lines are skipped but counted. */
export function ndjsonLines(input: Readable): AsyncGenerator<StagedLine> {
  let failure: Error | undefined;
  input.on('error', (e) => (failure ??= e));
  const decoder = new StringDecoder('utf8');
  let lineNo = 0;
  const emit = (line: string): StagedLine | null => {
    lineNo++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return null;
    const problem = textProblem(text);
    return problem
      ? { lineNo, value: text.replace(/\u0000/g, ''), parseError: problem }
      : { lineNo, value: text, parseError: null };
  };
  return (async function* () {
    let rest = '';
    try {
      if (failure) throw failure;
      for await (const chunk of input as AsyncIterable<Buffer>) {
        rest += decoder.write(chunk);
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = emit(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
          if (line) yield line;
        }
      }
    } catch (e) {
      throw failure ?? e;
    }
    if (failure) throw failure;
    rest += decoder.end();
    if (rest.length) {
      const line = emit(rest);
      if (line) yield line;
    }
  })();
}

/**
 * Stages the lines of an upload as chunks of `chunkRows` lines (import_chunks, one row each: the
 * lines as one JSON array, serialised natively in one call), the unit the worker later processes
 * in one transaction; returns how many lines.
 */
export async function stageLines(
  em: EntityManager,
  jobId: string,
  lines: AsyncIterable<StagedLine>,
  chunkRows: number,
): Promise<number> {
  let count = 0;
  let batch: [number, StagedLine['value'], string | null][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await em.query(
      `INSERT INTO import_chunks (tenant_id, job_id, first_line, last_line, lines, data)
       VALUES (app_tenant_id(), $1::uuid, $2, $3, $4, $5)`,
      [jobId, batch[0][0], batch[batch.length - 1][0], batch.length, JSON.stringify(batch)],
    );
    count += batch.length;
    batch = [];
  };
  for await (const line of lines) {
    batch.push([line.lineNo, line.value, line.parseError]);
    if (batch.length >= chunkRows) await flush();
  }
  await flush();
  return count;
}

/** A staged chunk's lines, as stageLines wrote them. */
export function chunkLines(data: string): StagedLine[] {
  const tuples = JSON.parse(data) as [number, StagedLine['value'], string | null][];
  const out = new Array<StagedLine>(tuples.length);
  for (let i = 0; i < tuples.length; i++) {
    const [lineNo, value, parseError] = tuples[i];
    out[i] = { lineNo, value, parseError };
  }
  return out;
}
