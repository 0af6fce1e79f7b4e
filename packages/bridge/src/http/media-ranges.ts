/** One media range of an Accept header: its type, lower-cased, and its q-value (1 when not given, NaN when not a number). */
export interface MediaRange {
  type: string;
  q: number;
}

/** The media ranges of an Accept header (RFC 9110 §12.5.1), in order. One parser for every place that reads Accept. */
export function mediaRanges(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParameter = parameters.find((parameter) => parameter.startsWith('q='));
    return { type, q: qParameter === undefined ? 1 : Number(qParameter.slice(2)) };
  });
}
