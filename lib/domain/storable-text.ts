// Text PostgreSQL stores as it was given. NUL and unpaired surrogates are valid in JSON strings
// and in percent-encoded URLs, but a text column refuses NUL (22021), and an unpaired surrogate
// has no UTF-8 form (the driver would write U+FFFD instead). The event parser dead-letters such
// fields (events.ts); the web refuses such query values with a 400 before they reach a query.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorableText = (text: string): boolean =>
  !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);

export const NOT_STORABLE_MESSAGE = 'must not contain NUL or an unpaired surrogate';
