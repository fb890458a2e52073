// The web's explanation of a checkout (lib/web/attribution-timeline.ts) decides its winner with the
// engine's own decision; this checks that decision against the independent oracle on random
// clicks of one user and product: window edges, millisecond ties and multi-byte ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainAttribution } from '../../lib/web/attribution-timeline.ts';
import { attributeBruteForce } from './oracle.ts';

const T = Date.parse('2026-03-01T11:00:00Z');
const HOUR = 3_600_000;
const offset = fc.oneof(
  fc.constantFrom(0, 1, -1, HOUR, HOUR + 1, HOUR - 1, 2 * HOUR),
  fc.integer({ min: -HOUR, max: 2 * HOUR }),
);
const clickId = fc.string({
  unit: fc.constantFrom('a', 'b', 'é', '\uff21', '\u{1f600}'),
  minLength: 1,
  maxLength: 3,
});

describe('explainAttribution against the oracle', () => {
  it('picks the click the rule picks, whatever the known clicks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ clickId, before: offset }), { selector: (c) => c.clickId }),
        (known) => {
          const clicks = known.map((c) => ({ clickId: c.clickId, time: T - c.before }));
          const [expected] = attributeBruteForce(
            clicks.map((c) => ({ ...c, userId: 1, productId: 'p' })),
            [{ checkoutId: 'c', userId: 1, productId: 'p', time: T }],
          );
          const timeline = explainAttribution(
            { time: T, clickId: expected!.clickId, clickTime: expected!.clickTime },
            clicks,
          );
          expect(timeline.winnerId).toBe(expected!.clickId);
          expect(timeline.agreesWithSink).toBe(true);
          const winners = timeline.clicks.filter((c) => c.role === 'winner');
          expect(winners.map((c) => c.clickId)).toEqual(
            expected!.clickId === null ? [] : [expected!.clickId],
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
