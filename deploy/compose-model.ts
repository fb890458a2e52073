// A typed reading of docker-compose.yml for the deploy/ tests: services with their env, ports and
// bind mounts, compose's ${VAR} interpolation, and image references split into name and tag.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export const readRepoFile = (relative: string): string =>
  readFileSync(path.join(repoRoot, relative), 'utf8');

/** YAML with `<<` merge keys, as compose reads it. */
export const parseYaml = (text: string): unknown => parse(text, { merge: true });

export interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  expose?: (string | number)[];
  volumes?: (string | { type: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string | string[] };
  /** Relative CPU weight when the host's CPU is contended; Docker's default is 1024. */
  cpu_shares?: number;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): ComposeFile {
  return parseYaml(readRepoFile('docker-compose.yml')) as ComposeFile;
}

/**
 * Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error};
 * "$$" is a literal "$". A required variable missing from `env` throws, as compose does.
 */
export function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const current = env[name!];
      const unset = current === undefined || (colon === ':' && current === '');
      if (!unset) return current;
      if (op === '?') throw new Error(`required variable ${name}: ${arg}`);
      return op === '-' ? arg! : '';
    },
  );
}

/** The environment block as strings (the list form "KEY=value" too), before interpolation. */
export function serviceEnv(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, v]) => [key, v === null ? '' : String(v)]),
  );
}

export interface PortMapping {
  hostIp: string;
  published?: number;
  target: number;
}

/** ports: "[ip:][host:]container[/proto]" or the long form; ranges are not used here. */
export function portMappings(service: ComposeService): PortMapping[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      const published = port.published === undefined ? undefined : Number(port.published);
      return { hostIp: port.host_ip ?? '0.0.0.0', published, target: Number(port.target) };
    }
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = Number(parts.pop());
    const published = parts.length > 0 ? Number(parts.pop()) : undefined;
    return { hostIp: parts.pop() ?? '0.0.0.0', published, target };
  });
}

/** Ports a container listens on that others may reach: `expose` plus the targets of `ports`. */
export function containerPorts(service: ComposeService): number[] {
  return [
    ...(service.expose ?? []).map((port) => Number(String(port).replace(/\/(tcp|udp)$/, ''))),
    ...portMappings(service).map((mapping) => mapping.target),
  ];
}

export interface BindMount {
  source: string;
  target: string;
}

/** Volumes whose source is a host path (starts with . or /), not a named volume. */
export function bindMounts(service: ComposeService): BindMount[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object') {
      return volume.type === 'bind' && volume.source
        ? [{ source: volume.source, target: volume.target }]
        : [];
    }
    const [source = '', target = ''] = volume.split(':');
    return /^[./]/.test(source) ? [{ source, target }] : [];
  });
}

export const dependsOn = (service: ComposeService): string[] =>
  Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** "registry:5000/org/name:tag@sha256:…" split into name, tag and digest. */
export function parseImageRef(ref: string): ImageRef {
  const [withoutDigest = '', digest] = ref.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) {
    return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  }
  return { name: withoutDigest, digest };
}

/** Named volumes a service mounts, by target path, with whether read-only. */
export function namedVolumes(
  service: ComposeService,
): Record<string, { source: string; readOnly: boolean }> {
  return Object.fromEntries(
    (service.volumes ?? []).flatMap((volume) => {
      if (typeof volume === 'object') return [];
      const [source = '', target = '', mode = ''] = volume.split(':');
      return /^[./]/.test(source) ? [] : [[target, { source, readOnly: mode === 'ro' }]];
    }),
  );
}

/** The command as one string, e.g. "npm run workers". */
export const commandLine = (service: ComposeService): string =>
  Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
