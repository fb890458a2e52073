// Checks the monitoring half of docker-compose.yml without Prometheus or Grafana running: scrape
// targets resolve to compose services, and every alert and panel queries a metric of docs/design.md.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bindMounts,
  containerPorts,
  interpolate,
  loadCompose,
  parseYaml,
  readRepoFile,
  repoRoot,
  serviceEnv,
  type ComposeService,
} from './compose-model.ts';
import { metricNamesInPromQL, parseDesignMetrics, seriesNames } from './metric-names.ts';

const compose = loadCompose();
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

const designMetrics = parseDesignMetrics(readRepoFile('docs/design.md'));
/** Series of Prometheus itself that the rules and panels may use besides ours. */
const PROMETHEUS_SERIES = ['up'];
const knownSeries = new Set([...designMetrics.flatMap(seriesNames), ...PROMETHEUS_SERIES]);

/** The host file a container path comes from, through the service's bind mounts. */
function hostPath(serviceName: string, containerPath: string): string | undefined {
  for (const mount of bindMounts(service(serviceName))) {
    if (containerPath === mount.target || containerPath.startsWith(`${mount.target}/`)) {
      return path.join(repoRoot, mount.source, containerPath.slice(mount.target.length));
    }
  }
  return undefined;
}

function expectKnownMetrics(expr: string, where: string): void {
  const names = metricNamesInPromQL(expr);
  expect(names.length, `${where} queries no metric: ${expr}`).toBeGreaterThan(0);
  for (const name of names)
    expect(knownSeries.has(name), `${where}: ${name} is not in docs/design.md`).toBe(true);
}

describe('Prometheus', () => {
  const prometheus = service('prometheus');
  const configFile = hostPath('prometheus', '/etc/prometheus/prometheus.yml');
  const config = parseYaml(readRepoFile('deploy/prometheus/prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs: { targets: string[] }[];
    }[];
  };

  it('reads the config and rule files mounted from deploy/prometheus', () => {
    expect(configFile).toBe(path.join(repoRoot, 'deploy/prometheus/prometheus.yml'));
    expect(JSON.stringify(prometheus.command)).toContain(
      '--config.file=/etc/prometheus/prometheus.yml',
    );
    for (const ruleFile of config.rule_files) {
      const file = hostPath('prometheus', ruleFile);
      expect(file && existsSync(file), `${ruleFile} is not mounted from the repository`).toBe(true);
    }
  });

  it('scrapes compose services on ports they listen on', () => {
    const targets = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) => c.targets.map((target) => ({ job, target }))),
    );
    for (const { job, target } of targets) {
      const [host = '', port = ''] = target.split(':');
      if (host === 'localhost') continue; // Prometheus scraping itself
      expect(Object.keys(compose.services), job.job_name).toContain(host);
      expect(containerPorts(service(host)), `${target} is not a port of ${host}`).toContain(
        Number(port),
      );
    }
  });

  it('scrapes the workers on METRICS_PORT at /metrics, and no endpoint that does not exist', () => {
    const job = (target: string) =>
      config.scrape_configs.find((j) => j.static_configs.some((c) => c.targets.includes(target)));
    const metricsPort = serviceEnv(service('workers')).METRICS_PORT;
    expect(job(`workers:${metricsPort}`)?.metrics_path ?? '/metrics').toBe('/metrics');
    // The web app serves no metrics (its figures are the workers'): nothing scrapes it.
    expect(job('web:3000')).toBeUndefined();
    expect(config.scrape_configs.map((j) => j.metrics_path ?? '/metrics')).not.toContain(
      '/api/metrics',
    );
  });
});

describe('alert rules (deploy/prometheus/alerts.yml)', () => {
  interface Rule {
    alert?: string;
    expr?: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }
  const { groups } = parseYaml(readRepoFile('deploy/prometheus/alerts.yml')) as {
    groups: { name: string; rules: Rule[] }[];
  };
  const rules = groups.flatMap((g) => g.rules);

  it.each(rules.map((r) => [r.alert ?? '(unnamed)', r] as const))(
    '%s is a complete rule',
    (_n, rule) => {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.expr).toBeTypeOf('string');
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
      // Balanced brackets catch most typos promtool would reject.
      for (const [open, close] of ['()', '[]', '{}']) {
        expect(rule.expr!.split(open!).length, `${open}${close} in ${rule.expr}`).toBe(
          rule.expr!.split(close!).length,
        );
      }
      expectKnownMetrics(rule.expr!, rule.alert!);
    },
  );

  it('alerts on worker down, consumer lag, a stalled watermark and dead-letter spikes', () => {
    const byMetric = (metric: string) =>
      rules.filter((r) => metricNamesInPromQL(r.expr ?? '').includes(metric));
    expect(byMetric('up')[0]?.expr).toMatch(/up\{job="clickstream-workers"\} == 0/);
    expect(byMetric('clickstream_consumer_lag_messages')[0]).toMatchObject({ for: '5m' });
    expect(byMetric('clickstream_watermark_delay_seconds')[0]).toMatchObject({ for: '5m' });
    expect(byMetric('clickstream_dead_letters_total')[0]?.expr).toMatch(
      /rate\(clickstream_dead_letters_total\[5m\]\)/,
    );
  });

  it('names alerts uniquely', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('Grafana provisioning', () => {
  const datasources = parseYaml(
    readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml'),
  ) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parseYaml(
    readRepoFile('deploy/grafana/provisioning/dashboards/clickstream.yml'),
  ) as {
    providers: { options: { path: string } }[];
  };

  it('mounts the provisioning folder from the repository', () => {
    const dir = hostPath('grafana', '/etc/grafana/provisioning');
    expect(dir).toBe(path.join(repoRoot, 'deploy/grafana/provisioning'));
  });

  it('points the Prometheus datasource at the prometheus service', () => {
    const [source] = datasources.datasources;
    expect(source?.type).toBe('prometheus');
    const url = new URL(source?.url ?? '');
    expect(url.hostname).toBe('prometheus');
    expect(containerPorts(service('prometheus'))).toContain(Number(url.port));
  });

  it('loads dashboards from a mounted folder that holds the dashboard JSON', () => {
    for (const provider of providers.providers) {
      const dir = hostPath('grafana', provider.options.path);
      expect(dir, `${provider.options.path} is not mounted`).toBeDefined();
      expect(readdirSync(dir!).filter((f) => f.endsWith('.json'))).toContain('clickstream.json');
    }
    const home = serviceEnv(service('grafana')).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(existsSync(hostPath('grafana', home) ?? ''), home).toBe(true);
  });
  it('needs sign-in: no anonymous access, no sign-up, and no default admin password', () => {
    const env = serviceEnv(service('grafana'));
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBeUndefined();
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    const password = env.GF_SECURITY_ADMIN_PASSWORD ?? '';
    expect(() => interpolate(password, {})).toThrow(/GRAFANA_ADMIN_PASSWORD/);
    expect(password).not.toMatch(/:-/);
  });
});

describe('Grafana dashboard (deploy/grafana/dashboards/clickstream.json)', () => {
  interface Panel {
    id: number;
    type: string;
    title: string;
    datasource?: { type: string; uid: string };
    targets?: { expr: string; datasource?: { uid: string } }[];
  }
  const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/clickstream.json')) as {
    uid: string;
    panels: Panel[];
  };
  const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
  const datasourceUid = (
    parseYaml(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string }[];
    }
  ).datasources[0]?.uid;

  it('has unique panel ids and a query in every panel', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of queryPanels) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it('uses the provisioned datasource', () => {
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, panel.title).toBe(datasourceUid);
      for (const target of panel.targets ?? [])
        expect(target.datasource?.uid ?? datasourceUid).toBe(datasourceUid);
    }
  });

  it('queries only metrics from docs/design.md', () => {
    for (const panel of queryPanels) {
      for (const target of panel.targets ?? []) expectKnownMetrics(target.expr, panel.title);
    }
  });

  it('shows every metric of docs/design.md', () => {
    const used = new Set(
      queryPanels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNamesInPromQL(t.expr))),
    );
    const missing = designMetrics
      .filter((m) => !seriesNames(m).some((s) => used.has(s)))
      .map((m) => m.name);
    expect(missing).toEqual([]);
  });

  it('draws p50 and p99 of the sink batch, end-to-end (by kind) and snapshot histograms', () => {
    const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    for (const histogram of [
      'sink_batch_seconds',
      'end_to_end_latency_seconds',
      'snapshot_seconds',
    ]) {
      for (const quantile of ['0.5', '0.99']) {
        const pattern = new RegExp(
          `histogram_quantile\\(${quantile.replace('.', '\\.')},.*clickstream_${histogram}_bucket`,
        );
        expect(
          exprs.some((e) => pattern.test(e)),
          `${histogram} p${quantile}`,
        ).toBe(true);
      }
    }
    expect(
      exprs.some((e) => /by \(le, kind\).*clickstream_end_to_end_latency_seconds_bucket/.test(e)),
    ).toBe(true);
  });
});
