// The security headers of every web response, and the two Content-Security-Policies: the app's
// (scripts only with this response's nonce, which Next adds to its own scripts; no framing, no
// plugins, no foreign connections) and the dbt docs' (an opaque-origin sandbox: the generated
// site's inline scripts run, but cannot reach the app's cookies, APIs or pages).
import { randomBytes } from 'node:crypto';

/** A fresh CSP nonce: 128 random bits, base64. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The app's policy. Styles may be inline: React and recharts set style attributes, which carry
 * no script. Development adds 'unsafe-eval' (React's dev tools and fast refresh use eval).
 */
export function appCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // socket.io: same-origin polling and websocket ('self' covers ws: to this host in CSP 3).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'self'",
  ].join('; ');
}

/** The dbt docs' policy: their own inline scripts, inside a sandbox with an opaque origin. */
export function dbtDocsCsp(): string {
  return [
    'sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox',
    "default-src 'none'",
    "script-src 'unsafe-inline' 'unsafe-eval'",
    "style-src 'unsafe-inline' data:",
    'img-src data:',
    'font-src data:',
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Headers every response carries, whatever answers it (pages, APIs, static files, errors). */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};
