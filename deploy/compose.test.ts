// Checks docker-compose.yml, the Dockerfile and the CI workflow without Docker: images pinned,
// references that resolve (services, ports, files, npm scripts) and app env that lib/config.ts accepts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../lib/config.ts';
import {
  bindMounts,
  commandLine,
  containerPorts,
  dependsOn,
  interpolate,
  loadCompose,
  namedVolumes,
  parseImageRef,
  parseYaml,
  portMappings,
  readRepoFile,
  repoRoot,
  serviceEnv,
  type ComposeService,
} from './compose-model.ts';

const compose = loadCompose();
const services = Object.entries(compose.services);
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

/** Services that run the app image (they have a build). */
const appServices = services.filter(([, s]) => s.build !== undefined).map(([name]) => name);
/** Variables the web app reads that lib/config.ts does not define yet; only `web` may set them. */
const WEB_ONLY_ENV = ['WORKER_METRICS_URL'];
const configKeys = Object.keys(configSchema.shape);
/** What the test pretends the user put in .env, for ${VAR:?…} variables. */
const userEnv = {
  ADMIN_TOKEN: 'a-test-admin-token-of-32-chars!!',
  WEB_DATABASE_PASSWORD: 'a0b1c2d3e4f5a0b1c2d3e4f5',
  GRAFANA_ADMIN_PASSWORD: 'grafana-test-password',
};

describe('docker-compose.yml services', () => {
  it('has the services of the Docker path', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['grafana', 'jobs', 'kafka', 'migrate', 'postgres', 'prometheus', 'web', 'workers'].sort(),
    );
    expect(appServices.sort()).toEqual(['jobs', 'migrate', 'web', 'workers']);
  });

  it.each(services)('%s has an image or a build', (_name, s) => {
    expect(s.image ?? s.build).toBeDefined();
  });

  it.each(services)('%s pins its image tag', (_name, s) => {
    const ref = parseImageRef(s.image ?? '');
    expect(ref.name).not.toBe('');
    expect(ref.tag ?? ref.digest, `${s.image} has no tag`).toBeDefined();
    expect(ref.tag).not.toBe('latest');
  });

  it('builds one app image that every app service shares; the jobs worker’s adds Python', () => {
    const shared = appServices.filter((name) => name !== 'jobs');
    const images = new Set(shared.map((name) => service(name).image));
    expect(images.size).toBe(1);
    const target = (name: string) => {
      const build = service(name).build;
      return typeof build === 'object' ? build.target : undefined;
    };
    for (const name of shared) expect(target(name), name).toBe('runtime');
    expect(target('jobs')).toBe('jobs');
    expect(service('jobs').image).not.toBe(service('web').image);
  });

  it('gives the lake to the jobs worker, which writes it, and to the web app read-only', () => {
    expect(namedVolumes(service('jobs'))['/data/lake']).toEqual({
      source: 'lake-data',
      readOnly: false,
    });
    expect(namedVolumes(service('web'))['/data/lake']).toEqual({
      source: 'lake-data',
      readOnly: true,
    });
    // The docs site the models run generates is served by the web app.
    expect(namedVolumes(service('jobs'))['/app/dbt/target']?.readOnly).toBe(false);
    expect(namedVolumes(service('web'))['/app/dbt/target']).toEqual({
      source: 'dbt-target',
      readOnly: true,
    });
    // The speed layer runs no batch job: it needs no lake.
    expect(namedVolumes(service('workers'))['/data/lake']).toBeUndefined();
  });

  it.each(services)('%s depends only on services that exist', (_name, s) => {
    for (const target of dependsOn(s)) expect(Object.keys(compose.services)).toContain(target);
  });

  it('publishes each host port once', () => {
    const published = services.flatMap(([name, s]) =>
      portMappings(s)
        .filter((p) => p.published !== undefined)
        .map((p) => `${p.published} (${name})`),
    );
    const ports = published.map((entry) => entry.split(' ')[0]);
    expect(new Set(ports).size, published.join(', ')).toBe(ports.length);
  });

  it('bind-mounts only files and folders that exist in the repository', () => {
    const mounts = services.flatMap(([, s]) => bindMounts(s));
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts)
      expect(existsSync(path.join(repoRoot, mount.source)), mount.source).toBe(true);
  });

  it('declares every named volume it mounts', () => {
    for (const [, s] of services) {
      for (const volume of s.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (!/^[./]/.test(source)) expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });

  it('orders start-up: migrate after postgres is healthy, app after kafka and migrate', () => {
    expect(service('migrate').depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
    });
    for (const name of ['workers', 'jobs', 'web']) {
      expect(service(name).depends_on).toMatchObject({
        kafka: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(service('kafka').healthcheck).toBeDefined();
    expect(JSON.stringify(service('postgres').healthcheck?.test)).toContain('pg_isready');
  });

  it('runs npm scripts that package.json defines', () => {
    const scripts = (
      JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }
    ).scripts;
    const expected = {
      migrate: 'npm run db:migrate',
      workers: 'npm run worker:start',
      jobs: 'npm run jobs:bare',
      web: 'npm start',
    };
    for (const [name, command] of Object.entries(expected)) {
      expect(commandLine(service(name))).toBe(command);
      const script = command === 'npm start' ? 'start' : command.replace('npm run ', '');
      expect(scripts[script], `package.json script "${script}"`).toBeDefined();
    }
  });
});

describe('app service environment', () => {
  it.each(appServices)('%s sets only variables lib/config.ts defines', (name) => {
    const allowed = name === 'web' ? [...configKeys, ...WEB_ONLY_ENV] : configKeys;
    for (const key of Object.keys(serviceEnv(service(name)))) expect(allowed).toContain(key);
  });

  it.each(appServices)('%s passes lib/config.ts validation', (name) => {
    const env = Object.fromEntries(
      Object.entries(serviceEnv(service(name))).map(([key, value]) => [
        key,
        interpolate(value, userEnv),
      ]),
    );
    const result = configSchema.safeParse(env);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('refuses to start the web app without an ADMIN_TOKEN (no default token)', () => {
    const token = serviceEnv(service('web')).ADMIN_TOKEN ?? '';
    expect(() => interpolate(token, {})).toThrow(/ADMIN_TOKEN/);
  });

  it('gives the web app its own database role, which migrate creates, with no default password', () => {
    const web = serviceEnv(service('web')).WEB_DATABASE_URL ?? '';
    expect(serviceEnv(service('migrate')).WEB_DATABASE_URL).toBe(web);
    expect(serviceEnv(service('workers')).WEB_DATABASE_URL).toBeUndefined();
    expect(serviceEnv(service('jobs')).WEB_DATABASE_URL).toBeUndefined();
    expect(() => interpolate(web, {})).toThrow(/WEB_DATABASE_PASSWORD/);
    const url = new URL(interpolate(web, userEnv));
    const owner = new URL(interpolate(serviceEnv(service('web')).DATABASE_URL ?? '', userEnv));
    expect(url.username).toBe('clickstream_web');
    expect(url.username).not.toBe(owner.username);
    expect([url.host, url.pathname]).toEqual([owner.host, owner.pathname]);
    expect(decodeURIComponent(url.password)).toBe(userEnv.WEB_DATABASE_PASSWORD);
  });

  it('listens on every interface inside the network, published on loopback only', () => {
    expect(serviceEnv(service('web')).HOST).toBe('0.0.0.0');
    expect(serviceEnv(service('workers')).METRICS_HOST).toBe('0.0.0.0');
    // The workers answer to the name the web app and Prometheus use for them.
    expect(serviceEnv(service('workers')).ALLOWED_HOSTS).toBe('workers');
    expect(serviceEnv(service('jobs')).METRICS_HOST).toBe('0.0.0.0');
    expect(serviceEnv(service('jobs')).ALLOWED_HOSTS).toBe('jobs');
    for (const [name, s] of services) {
      for (const mapping of portMappings(s).filter((p) => p.published !== undefined)) {
        expect(mapping.hostIp, `${name} publishes ${mapping.published} beyond loopback`).toBe(
          '127.0.0.1',
        );
      }
    }
  });

  it.each(appServices)('%s reaches PostgreSQL as the postgres service and its user', (name) => {
    const url = new URL(interpolate(serviceEnv(service(name)).DATABASE_URL ?? '', userEnv));
    const pg = serviceEnv(service('postgres'));
    expect(url.hostname).toBe('postgres');
    expect(url.port).toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
  });

  it.each(['workers', 'jobs', 'web'])(
    '%s reaches Kafka on its in-network advertised listener',
    (name) => {
      const advertised = (serviceEnv(service('kafka')).KAFKA_ADVERTISED_LISTENERS ?? '')
        .split(',')
        .map((listener) => listener.replace(/^\w+:\/\//, ''));
      for (const broker of (serviceEnv(service(name)).KAFKA_BROKERS ?? '').split(',')) {
        expect(advertised).toContain(broker);
        expect(Object.keys(compose.services)).toContain(broker.split(':')[0]);
      }
    },
  );

  it('exposes the workers metrics port it configures', () => {
    const port = Number(serviceEnv(service('workers')).METRICS_PORT);
    expect(containerPorts(service('workers'))).toContain(port);
    expect(serviceEnv(service('web')).WORKER_METRICS_URL).toBe(`http://workers:${port}/metrics`);
  });

  it('gives the speed workers less CPU weight than the web, as npm run workers lowers their priority', () => {
    const weight = (name: string) => service(name).cpu_shares ?? 1024;
    expect(weight('workers')).toBeLessThan(weight('web'));
  });

  it('checks the jobs worker’s health on the port it configures', () => {
    const port = Number(serviceEnv(service('jobs')).JOBS_PORT);
    expect(containerPorts(service('jobs'))).toContain(port);
    expect(JSON.stringify(service('jobs').healthcheck?.test)).toContain(
      `http://127.0.0.1:${port}/healthz`,
    );
  });
});

describe('kafka service', () => {
  const env = serviceEnv(service('kafka'));

  it('runs the Kafka version the local stack runs (scripts/stack/kafka.ts)', () => {
    const source = readRepoFile('scripts/stack/kafka.ts');
    const version =
      /export const (?:DEFAULT_)?KAFKA_VERSION\s*(?::\s*string\s*)?=\s*['"]([^'"]+)['"]/.exec(
        source,
      )?.[1];
    expect(version, 'scripts/stack/kafka.ts exports no KAFKA_VERSION constant').toBeDefined();
    expect(service('kafka').image).toBe(`apache/kafka:${version}`);
  });

  it('is a single KRaft node that does not auto-create topics', () => {
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_NODE_ID).toBe('1');
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(/^1@kafka:\d+$/);
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('listens on every advertised port and publishes the host listener on its own port', () => {
    const listenerPorts = new Map(
      (env.KAFKA_LISTENERS ?? '').split(',').map((l) => [l.split('://')[0], l.split(':').pop()]),
    );
    const protocols = (env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '')
      .split(',')
      .map((p) => p.split(':')[0]);
    for (const listener of (env.KAFKA_ADVERTISED_LISTENERS ?? '').split(',')) {
      const [name = '', address = ''] = listener.split('://');
      expect(protocols).toContain(name);
      const port = address.split(':').pop();
      expect(listenerPorts.get(name), listener).toBe(port);
      if (!address.startsWith('kafka:')) {
        // A host listener: published on the same port, on the address it advertises.
        const mapping = portMappings(service('kafka')).find((p) => String(p.target) === port);
        expect(mapping?.published).toBe(Number(port));
        expect(address.startsWith(`${mapping?.hostIp}:`) || address.startsWith('localhost:')).toBe(
          true,
        );
      }
    }
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS?.split(':').pop()).toBe(
      listenerPorts.get('CONTROLLER'),
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRepoFile('Dockerfile');
  const args = Object.fromEntries(
    [...dockerfile.matchAll(/^ARG (\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) =>
    m[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? ''),
  );
  const stages = new Set([...dockerfile.matchAll(/^FROM \S+ AS (\S+)/gm)].map((m) => m[1]));

  it('builds from a pinned Node 20 bookworm-slim image in several stages', () => {
    expect(bases.length).toBeGreaterThan(1);
    for (const base of bases.filter((b) => !stages.has(b))) {
      expect(base).toMatch(/^node:20(\.\d+)*-bookworm-slim$/);
    }
  });

  it('installs with npm ci, builds with npm run build, and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/^RUN .*npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build\b/m);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(['root', '0']).not.toContain(users.at(-1));
  });

  it('sets only variables the app, Node or npm know', () => {
    const envBlock = [...dockerfile.matchAll(/^ENV ((?:.*\\\n)*.*)/gm)].map((m) => m[1]!).join(' ');
    const keys = [...envBlock.matchAll(/(\w+)=/g)].map((m) => m[1]!);
    const runtime = ['NODE_ENV', 'NEXT_TELEMETRY_DISABLED', 'npm_config_update_notifier'];
    for (const key of keys) expect([...configKeys, ...runtime]).toContain(key);
  });

  it('gives the jobs target Python and the pinned virtualenv dbt runs from', () => {
    expect(stages).toContain('jobs');
    const jobs = dockerfile.slice(dockerfile.indexOf(' AS jobs'));
    expect(jobs).toMatch(/apt-get install .*python3 python3-venv/);
    expect(jobs).toContain('ensurePythonEnv');
    expect(jobs).toMatch(/^CMD \["npm", "run", "jobs:bare"\]/m);
  });

  it('keeps host builds and secrets out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', '.next', '.stack', '.env', '.env.*', 'lib/generated']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('.github/workflows/ci.yml', () => {
  const workflow = parseYaml(
    readFileSync(path.join(repoRoot, '.github/workflows/ci.yml'), 'utf8'),
  ) as {
    on: Record<string, unknown>;
    jobs: Record<
      string,
      {
        'runs-on': string;
        steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
      }
    >;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const setup = (action: string) =>
    steps.find((s) => s.uses?.startsWith(`actions/${action}@`))?.with;

  it('runs the README test command on push and pull requests', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(steps.map((s) => s.run?.trim())).toContain('npm test');
  });

  it('sets up Node 20, Temurin 17 and Python 3.11', () => {
    expect(String(setup('setup-node')?.['node-version'])).toBe('20');
    expect(setup('setup-java')).toMatchObject({ distribution: 'temurin' });
    expect(String(setup('setup-java')?.['java-version'])).toBe('17');
    expect(String(setup('setup-python')?.['python-version'])).toBe('3.11');
  });

  it('pins every action to a version', () => {
    for (const step of steps.filter((s) => s.uses))
      expect(step.uses).toMatch(/@v\d+|@[0-9a-f]{40}$/);
  });
});
