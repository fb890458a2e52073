import { describe, expect, it } from 'vitest';
import { publicationLineKind } from './attribution-publication.ts';

describe('publicationLineKind', () => {
  it.each([
    ['{"k":"c","checkout_id":"co-1","user_id":"5000000000","campaign":null}', 'credit'],
    ['{"k":"b","model":"linear","channel":"direct"}', 'byChannel'],
    ['{"k":"o","model":"linear","channel":"direct"}', 'overflow'],
  ])('reads %s as a %s line', (line, kind) => {
    expect(publicationLineKind(line)).toBe(kind);
  });

  it.each([
    ['an unknown kind', '{"k":"x","a":1}'],
    ['a kind that is not the first key', '{"a":1,"k":"c"}'],
    ['a cut-off line', '{"k":"c","checkout_id":"co'],
    ['not JSON', 'Traceback (most recent call last):'],
  ])('refuses %s, so a reader bug fails the publication', (_what, line) => {
    expect(() => publicationLineKind(line)).toThrow();
  });
});
