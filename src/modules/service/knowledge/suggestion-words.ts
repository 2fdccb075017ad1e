/** The words of a case subject that article suggestions match (pure: the benchmark uses it too). */

/** Words too common to say anything about an article (the search columns use 'simple', which keeps them). */
const STOP_WORDS = new Set(
  'a an and are as at be but by can cannot do does for from has have how i in is it its my no not of on or our so that the their there this to was we what when where which who why will with you your'.split(
    ' ',
  ),
);
/** Most words of a text a suggestion query ORs together. */
const MAX_SUGGEST_WORDS = 16;

/**
 * The distinct, lower-cased words of a text (letters and digits only, so the tsquery built from
 * them needs no quoting), without stop words, at most MAX_SUGGEST_WORDS.
 */
export function suggestionWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 2 || STOP_WORDS.has(w) || out.includes(w)) continue;
    out.push(w);
    if (out.length === MAX_SUGGEST_WORDS) break;
  }
  return out;
}
