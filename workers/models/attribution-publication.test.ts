import { describe, expect, it } from 'vitest';
import { parsePublicationLine } from './attribution-publication.ts';

describe('parsePublicationLine', () => {
  it('reads a credit, a by-channel row and an overflowed by-channel row', () => {
    const credit = [
      'c',
      'co-1',
      '5000000000',
      'k1',
      'linear',
      '0.5000000000',
      '5.01',
      '2024-03-01T10:00:00.000+00:00',
      'email',
      null,
      'p1',
      '2024-03-01',
    ];
    expect(parsePublicationLine(JSON.stringify(credit))).toEqual({
      kind: 'credit',
      values: credit.slice(1),
    });
    const byChannel = ['b', 'linear', '2024-03-01', 'direct', null, '5.00', '0.5', '1', '1'];
    expect(parsePublicationLine(JSON.stringify(byChannel))).toEqual({
      kind: 'byChannel',
      values: byChannel.slice(1),
    });
    expect(parsePublicationLine('["o","linear","2024-03-01","direct",null]')).toEqual({
      kind: 'overflow',
    });
  });

  it.each([
    ['an unknown tag', '["x",1]'],
    ['a credit missing a value', '["c","co-1"]'],
    ['not an array', '{"c":1}'],
    ['not JSON', 'Traceback (most recent call last):'],
  ])('refuses %s, so a reader bug fails the publication', (_what, line) => {
    expect(() => parsePublicationLine(line)).toThrow();
  });
});
