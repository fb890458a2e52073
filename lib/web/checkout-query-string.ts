// The checkout browser's URL state: which query parameters exist, their defaults, and one
// canonical form (known keys, fixed order, defaults dropped) so equal filters give equal cache
// keys. Shared by the server page and the browser component.

export const FILTER_KEYS = ['user', 'product', 'attributed', 'state', 'from', 'to'] as const;
export const QUERY_KEYS = [...FILTER_KEYS, 'sort', 'limit', 'after', 'before'] as const;
export const QUERY_DEFAULTS: Readonly<Record<string, string>> = {
  attributed: 'any',
  state: 'any',
  sort: 'desc',
  limit: '50',
};
export const PAGE_SIZES = [10, 25, 50, 100, 200];

export function canonicalQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = params.get(key)?.trim();
    if (value && value !== QUERY_DEFAULTS[key]) out.set(key, value);
  }
  return out.toString();
}
