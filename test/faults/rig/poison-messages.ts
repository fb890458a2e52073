// Hand-written messages for the poison-stream test, written token by token (so an amount like
// 0.1000000000000000001 reaches the wire exactly as written): strange but valid events, with the
// row the rule gives them, and bad ones, with the dead-letter reason the spec gives them.
import { naiveTimestamp } from '../../../lib/simulator/stream-generator.ts';
import type { CraftedMessage } from './load.ts';

const text = (s: string) => JSON.stringify(s);

/** A JSON object from raw value tokens, in order. */
function object(fields: Record<string, string>): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${text(k)}:${v}`)
    .join(',')}}`;
}

function clickJson(id: string, userId: string, productId: string, when: string): string {
  return object({
    click_id: text(id),
    user_id: userId,
    product_id: text(productId),
    product: text('Poison Probe'),
    price: '9.99',
    url: text('https://shop.example.com/poison'),
    user_agent: text('fault-rig'),
    ip_address: text('127.0.0.1'),
    datetime_occured: text(when),
  });
}

function checkoutJson(
  id: string,
  userId: string,
  productId: string,
  amount: string,
  when: string,
): string {
  return object({
    checkout_id: text(id),
    user_id: userId,
    product_id: text(productId),
    payment_method: text('credit_card'),
    total_amount: amount,
    shipping_address: text('1 Main St'),
    billing_address: text('1 Main St'),
    user_agent: text('fault-rig'),
    ip_address: text('127.0.0.1'),
    datetime_occured: text(when),
  });
}

function validClick(id: string, userId: number, productId: string, time: number): CraftedMessage {
  return {
    topic: 'clicks',
    value: clickJson(id, String(userId), productId, naiveTimestamp(time)),
    click: { clickId: id, userId, productId, time },
  };
}

function validCheckout(
  id: string,
  userId: number,
  productId: string,
  amount: string,
  time: number,
): CraftedMessage {
  return {
    topic: 'checkouts',
    value: checkoutJson(id, String(userId), productId, amount, naiveTimestamp(time)),
    checkout: { checkoutId: id, userId, productId, time, amount: amountTwoDecimals(amount) },
  };
}

/** "100000000000000.01" stays; "10.5" → "10.50": decimal text, no float on the way. */
function amountTwoDecimals(amount: string): string {
  const [whole, fraction = ''] = amount.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

const TOMBSTONE_REASON = /^(invalid_json|tombstone|empty_message)\b/;

/**
 * Poison for a stream whose largest event time so far is `t`: the valid ones sit at or just
 * before `t`, so they are on time. Product ids are the generator's ("0".."5").
 */
export function poisonMessages(t: number): CraftedMessage[] {
  const at = naiveTimestamp(t);
  return [
    // Valid, unknown users (spec: a user id that fits no row is an unknown user, written).
    validClick('poison-big-user-click', 3_000_000_000, '2', t - 2_000),
    validCheckout('poison-big-user', 3_000_000_000, '2', '25.00', t),
    validClick('poison-negative-user-click', -42, '3', t - 1_000),
    validCheckout('poison-negative-user', -42, '3', '10.5', t),
    // Valid, stored exactly as written (a double would make it …00.02).
    validCheckout('poison-huge-amount', 2, '4', '100000000000000.01', t),
    // Bad.
    {
      topic: 'checkouts',
      value: checkoutJson('poison-year-0000', '3', '1', '5.00', '0000-01-01 00:00:00'),
      bad: { label: 'checkout dated 0000-01-01', reason: /^bad_timestamp\b/ },
    },
    {
      topic: 'checkouts',
      value: checkoutJson('poison-year-0001-offset', '3', '1', '5.00', '0001-01-01T00:00:00+01:00'),
      bad: { label: 'checkout dated 0001-01-01T00:00:00+01:00', reason: /^bad_timestamp\b/ },
    },
    {
      topic: 'checkouts',
      value: checkoutJson('poison-19-decimals', '3', '1', '0.1000000000000000001', at),
      bad: { label: 'amount 0.1000000000000000001', reason: /^too_many_decimals\b/ },
    },
    {
      topic: 'checkouts',
      value: checkoutJson('poison-unsafe-user', '9007199254740993', '1', '5.00', at),
      bad: { label: 'user_id 2^53 + 1', reason: /^wrong_type\b/ },
    },
    {
      topic: 'clicks',
      value: null,
      bad: { label: 'tombstone on clicks', reason: TOMBSTONE_REASON },
    },
    {
      topic: 'checkouts',
      value: null,
      bad: { label: 'tombstone on checkouts', reason: TOMBSTONE_REASON },
    },
    {
      topic: 'clicks',
      value: clickJson('poison-truncated', '4', '1', at).slice(0, 40),
      bad: { label: 'truncated JSON', reason: /^invalid_json\b/ },
    },
  ];
}

/** A click from 2099: refused (too far ahead of the clock), never allowed to move the watermark. */
export function farFutureClick(): CraftedMessage {
  return {
    topic: 'clicks',
    value: clickJson('poison-far-future', '5', '2', '2099-06-01 00:00:00'),
    bad: { label: 'click dated 2099', reason: /^(future_timestamp|bad_timestamp)\b/ },
  };
}
