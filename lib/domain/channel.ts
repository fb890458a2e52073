// The marketing channel and campaign of a click, from its `url` alone (the wire format has no
// referrer). GA4-like default channel group rules over the UTM parameters and ad click ids,
// written down in docs/channels.md. The dbt macro `channel_of` / `campaign_of`
// (dbt/macros/channel_of.sql) is the same rules in SQL; both are checked against one case
// table, dbt/seeds/channel_cases.csv, so the two cannot drift. That is why the URL is read
// with plain string steps a SQL engine can repeat (no WHATWG URL parser, no percent-decoding).

export const CHANNELS = [
  'direct',
  'organic_search',
  'paid_search',
  'display',
  'paid_social',
  'organic_social',
  'email',
  'affiliate',
  'referral',
  'other',
] as const;

export type Channel = (typeof CHANNELS)[number];

/** Sources that are search engines (lower case, exact). */
export const SEARCH_SOURCES: readonly string[] = [
  'google',
  'bing',
  'yahoo',
  'duckduckgo',
  'baidu',
  'yandex',
  'ecosia',
  'naver',
  'qwant',
  'startpage',
];

/** Sources that are social networks (lower case, exact). */
export const SOCIAL_SOURCES: readonly string[] = [
  'facebook',
  'fb',
  'instagram',
  'ig',
  'twitter',
  'x',
  't.co',
  'linkedin',
  'pinterest',
  'tiktok',
  'reddit',
  'snapchat',
  'youtube',
];

const SEARCH_CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'msclkid'];
const SOCIAL_CLICK_IDS = ['fbclid', 'ttclid', 'li_fat_id'];
const DISPLAY_MEDIUMS = ['display', 'banner', 'expandable', 'interstitial', 'cpm'];
const SOCIAL_MEDIUMS = [
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
];
const REFERRAL_MEDIUMS = ['referral', 'app', 'link'];
const EMAIL_NAMES = ['email', 'e-mail', 'e_mail', 'e mail'];

/**
 * The URL's query parameters as written, in order: the text after the first `?` of the URL cut
 * at its first `#`, split on `&`, each piece split at its first `=` (a piece without `=` has an
 * empty value). No `?` means no parameters.
 */
function queryParameters(url: string): Array<[key: string, value: string]> {
  const hash = url.indexOf('#');
  const withoutFragment = hash < 0 ? url : url.slice(0, hash);
  const question = withoutFragment.indexOf('?');
  if (question < 0) return [];
  return withoutFragment
    .slice(question + 1)
    .split('&')
    .map((piece): [string, string] => {
      const eq = piece.indexOf('=');
      return eq < 0 ? [piece, ''] : [piece.slice(0, eq), piece.slice(eq + 1)];
    });
}

/** The first parameter whose name is `name` (ASCII case-insensitive), if its value is non-empty. */
function parameter(params: Array<[string, string]>, name: string): string | null {
  const found = params.find(([key]) => key.toLowerCase() === name);
  return found === undefined || found[1] === '' ? null : found[1];
}

const isPaidMedium = (medium: string): boolean =>
  medium.includes('cp') ||
  medium === 'ppc' ||
  medium === 'retargeting' ||
  medium.startsWith('paid');

/** The click's channel (docs/channels.md): rules in order, the first that matches wins. */
export function channelOf(url: string): Channel {
  const params = queryParameters(url);
  const source = parameter(params, 'utm_source')?.toLowerCase() ?? null;
  const medium = parameter(params, 'utm_medium')?.toLowerCase() ?? null;
  if (medium === null) {
    if (SEARCH_CLICK_IDS.some((id) => parameter(params, id) !== null)) return 'paid_search';
    if (SOCIAL_CLICK_IDS.some((id) => parameter(params, id) !== null)) return 'paid_social';
    if (source === null) return 'direct';
  }
  const s = source ?? '';
  const m = medium ?? '';
  if (s === '(direct)' && (m === '(none)' || m === '(not set)' || m === '')) return 'direct';
  const searchSource = SEARCH_SOURCES.includes(s);
  const socialSource = SOCIAL_SOURCES.includes(s);
  if (isPaidMedium(m)) {
    if (searchSource) return 'paid_search';
    if (socialSource) return 'paid_social';
  }
  if (DISPLAY_MEDIUMS.includes(m)) return 'display';
  if (isPaidMedium(m)) return 'other';
  if (socialSource || SOCIAL_MEDIUMS.includes(m)) return 'organic_social';
  if (searchSource || m === 'organic') return 'organic_search';
  if (REFERRAL_MEDIUMS.includes(m)) return 'referral';
  if (EMAIL_NAMES.includes(s) || EMAIL_NAMES.includes(m)) return 'email';
  if (m === 'affiliate') return 'affiliate';
  return 'other';
}

/** The click's campaign: its `utm_campaign` as written (no decoding), null when absent or empty. */
export function campaignOf(url: string): string | null {
  return parameter(queryParameters(url), 'utm_campaign');
}
