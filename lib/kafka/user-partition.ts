// The partition of a user in the internal (re-keyed) topics. Both internal
// topics use this one function, so partition i of each holds the same users.
// A mixing hash rather than `id % n`, so patterned ids (all even, all multiples
// of n) still spread over the partitions.

/** murmur3's 32-bit finalizer: a cheap, well-mixed hash of a 32-bit integer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function userPartition(userId: number, partitionCount: number): number {
  // Safe integers can exceed 32 bits: fold the high part in.
  const low = userId | 0;
  const high = Math.floor(userId / 0x1_0000_0000) | 0;
  return fmix32(low ^ fmix32(high)) % partitionCount;
}
