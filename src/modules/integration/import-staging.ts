import { parse } from 'csv-parse';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { EntityManager } from 'typeorm';
import { DomainError } from '../../platform/http/domain-error.js';

/** Staged rows per INSERT while an upload streams in. */
const STAGE_BATCH = 5000;
const REPLACEMENT = '\uFFFD';

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

export interface StagedLine {
  lineNo: number;
  raw: string | null;
  parseError: string | null;
}

/** A line's text problem (bad UTF-8, NUL), or null. */
function textProblem(text: string): string | null {
  if (text.includes(REPLACEMENT)) return 'the line is not valid UTF-8';
  if (text.includes('\u0000')) return 'the line contains a NUL character';
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
    skipped.push({ lineNo: parsedTo + 1, raw, parseError: `malformed CSV: ${err.message}` });
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
      const problem = textProblem(item.cells.join(','));
      yield problem
        ? {
            lineNo: item.start,
            raw: JSON.stringify(item.cells.map((c) => c.replace(/\u0000/g, ''))),
            parseError: problem,
          }
        : { lineNo: item.start, raw: JSON.stringify(item.cells), parseError: null };
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
      ? { lineNo, raw: text.replace(/\u0000/g, ''), parseError: problem }
      : { lineNo, raw: text, parseError: null };
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

/** Writes staged lines into import_rows in batches (set-based); returns how many. */
export async function stageLines(
  em: EntityManager,
  jobId: string,
  lines: AsyncIterable<StagedLine>,
): Promise<number> {
  let count = 0;
  let batch: StagedLine[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    // JSON arrays (one native JSON.stringify each) rather than pg array literals, which the
    // driver escapes element by element — the raw lines are full of quotes.
    const n = batch.length;
    const lineNos = new Array<number>(n);
    const raws = new Array<string | null>(n);
    const errors = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      lineNos[i] = batch[i].lineNo;
      raws[i] = batch[i].raw;
      errors[i] = batch[i].parseError;
    }
    await em.query(
      `INSERT INTO import_rows (tenant_id, job_id, line_no, raw, parse_error)
       SELECT app_tenant_id(), $1::uuid, u.l::int, u.r, u.e
         FROM ROWS FROM (json_array_elements_text($2::json), json_array_elements_text($3::json),
                         json_array_elements_text($4::json)) AS u(l, r, e)`,
      [jobId, JSON.stringify(lineNos), JSON.stringify(raws), JSON.stringify(errors)],
    );
    count += batch.length;
    batch = [];
  };
  for await (const line of lines) {
    batch.push(line);
    if (batch.length >= STAGE_BATCH) await flush();
  }
  await flush();
  return count;
}
