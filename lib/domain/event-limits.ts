// The longest text every store holds, in UTF-8 bytes: the parser (events.ts) and its fast path
// for clicks (click-scan.ts) refuse longer. Ids are keys of PostgreSQL btree indexes (an index row
// holds at most 2704 bytes); any text is a VARCHAR(65535) in Redshift Spectrum.
export const MAX_ID_BYTES = 1024;
export const MAX_TEXT_BYTES = 65_535;
