// Renders k8s/ (the kustomize base and the example overlay) in Node and checks what a platform
// team relies on: every object valid against the Kubernetes schemas with no unknown field,
// probes, resources and security settings, secrets only through references, a Service and a
// PodDisruptionBudget per Deployment, the autoscaler, the migration Job, the Ingress, and the
// environment matching what the services' env classes read. Needs neither Kafka nor PostgreSQL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import { TOPIC_SPECS } from '@app/contracts';
import { loadChannelConfigEnv } from '../../apps/channel-config/src/config/channel-config.env';
import { loadInboundWebhookEnv } from '../../apps/inbound-webhook/src/config/inbound-webhook.env';
import { loadOutboundPagerEnv } from '../../apps/outbound-pager/src/config/outbound-pager.env';
import { validateObject } from './kubernetes-schema';
import { kustomizeBuild, type K8sObject } from './kustomize';
import { SERVICES, serviceEnv, type ServiceName } from './service-env';

const REPO_ROOT = join(__dirname, '..', '..');
const BASE = join(REPO_ROOT, 'k8s', 'base');
const OVERLAY = join(REPO_ROOT, 'k8s', 'overlays', 'example');

const PART_OF = 'axiorank-pagerduty';
const CONFIG_MAP = 'axiorank-pagerduty-config';
const SECRET = 'axiorank-pagerduty-secrets';
const SECRET_KEYS = ['DATABASE_URL', 'AUTH_JWT_SECRET', 'CREDENTIAL_KEYS'];
const CONFIG_KEYS = [
  'KAFKA_BROKERS',
  'KAFKA_CREATE_TOPICS',
  'LOG_LEVEL',
  'PAGERDUTY_EVENTS_URL',
  'PAGERDUTY_EVENTS_URL_EU',
  'PUBLIC_WEBHOOK_BASE_URL',
  'APP_BASE_URL',
  'PAGERDUTY_RATE_PER_MINUTE',
  'PAGERDUTY_RATE_BURST',
];
/** Read by Node itself, not by a service's env class. */
const NODE_RUNTIME_ENV = new Set(['NODE_OPTIONS']);
const PORTS: Record<ServiceName, number> = {
  'channel-config': 3001,
  'inbound-webhook': 3002,
  'outbound-pager': 3003,
};
const LOADERS: Record<ServiceName, (env: Record<string, string | undefined>) => unknown> = {
  'channel-config': loadChannelConfigEnv,
  'inbound-webhook': loadInboundWebhookEnv,
  'outbound-pager': loadOutboundPagerEnv,
};
// PagerDuty's documented Events API limit per routing key, and the service defaults.
const PAGERDUTY_EVENTS_PER_MINUTE = 120;
const PAGERDUTY_BURST = 60;
// Stand-ins for the Secret's values, only to run the services' config validation.
const SECRET_STAND_INS: Record<string, string> = {
  DATABASE_URL: 'postgres://axiorank:not-a-secret@postgres:5432/axiorank',
  AUTH_JWT_SECRET: 'x'.repeat(32),
  CREDENTIAL_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

// ---- helpers ------------------------------------------------------------------------------

const idOf = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

const ofKind = <T>(objects: K8sObject[], kind: string): (T & K8sObject)[] =>
  objects.filter((o) => o.kind === kind) as (T & K8sObject)[];

function one<T>(objects: K8sObject[], kind: string, name: string): T & K8sObject {
  const found = ofKind<T>(objects, kind).filter((o) => o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

/** Every pod spec: Deployments, Jobs and CronJobs, with the object holding it. */
function podSpecs(objects: K8sObject[]): { owner: K8sObject; spec: IPodSpec }[] {
  return objects.flatMap((owner) => {
    if (owner.kind === 'Deployment')
      return [{ owner, spec: (owner as IDeployment & K8sObject).spec!.template.spec! }];
    if (owner.kind === 'Job')
      return [{ owner, spec: (owner as IJob & K8sObject).spec!.template.spec! }];
    if (owner.kind === 'CronJob') {
      return [
        { owner, spec: (owner as ICronJob & K8sObject).spec!.jobTemplate.spec!.template.spec! },
      ];
    }
    return [];
  });
}

const containersOf = (spec: IPodSpec): IContainer[] => [
  ...(spec.initContainers ?? []),
  ...spec.containers,
];

/** The service a container runs, from its command `node dist/apps/<service>/main.js …`. */
function serviceOf(container: IContainer): ServiceName | undefined {
  const script = (container.command ?? []).find((c) => /^dist\/apps\/[^/]+\/main\.js$/.test(c));
  const name = script?.split('/')[2];
  return SERVICES.find((s) => s === name);
}

function serviceContainers(objects: K8sObject[]) {
  return podSpecs(objects).flatMap(({ owner, spec }) =>
    containersOf(spec).flatMap((container) => {
      const service = serviceOf(container);
      return service ? [{ owner, spec, container, service }] : [];
    }),
  );
}

/** Kubernetes quantities as numbers: CPU in cores, memory in bytes. */
function quantity(value: string | number | undefined): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(value);
  if (!match) return NaN;
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1);
}

const matches = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Every string anywhere in an object, with its path. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** The environment a container gets, with ConfigMap references resolved and secrets stood in. */
function resolvedEnv(container: IContainer, objects: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const configRef = variable.valueFrom?.configMapKeyRef;
    const secretRef = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (configRef) {
      const configMap = one<IConfigMap>(objects, 'ConfigMap', configRef.name!);
      const value = configMap.data?.[configRef.key];
      if (value === undefined) throw new Error(`${configRef.name} has no key ${configRef.key}`);
      env[variable.name] = value;
    } else if (secretRef) env[variable.name] = SECRET_STAND_INS[secretRef.key];
  }
  return env;
}

// ---- the rendered manifests ---------------------------------------------------------------

describe.each([
  ['base', BASE],
  ['overlays/example', OVERLAY],
])('k8s/%s', (_label, dir) => {
  const objects = kustomizeBuild(dir);
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  const configMap = (): IConfigMap & K8sObject => {
    const maps = ofKind<IConfigMap>(objects, 'ConfigMap');
    expect(maps).toHaveLength(1);
    return maps[0];
  };

  it('renders only the kinds the integration needs, and no Secret', () => {
    const kinds = [...new Set(objects.map((o) => o.kind))].sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'CronJob',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Job',
      ]),
    );
    expect(kinds).not.toContain('Secret');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...SERVICES]);
  });

  it('validates every object against the Kubernetes schemas, unknown fields included', () => {
    const problems = objects.flatMap((o) => validateObject(o).map((p) => `${idOf(o)}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('labels every object as part of axiorank-pagerduty with its app name', () => {
    for (const o of objects) {
      expect([idOf(o), o.metadata.labels?.['app.kubernetes.io/part-of']]).toEqual([
        idOf(o),
        PART_OF,
      ]);
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toEqual(expect.any(String));
    }
  });

  describe.each(SERVICES)('%s', (service) => {
    const deployment = () => one<IDeployment>(objects, 'Deployment', service);
    const podSpec = () => deployment().spec!.template.spec!;
    const container = () => {
      expect(podSpec().containers).toHaveLength(1);
      return podSpec().containers[0];
    };
    const podLabels = () => deployment().spec!.template.metadata!.labels;

    it('runs the service from the image on its port', () => {
      const c = container();
      expect(c.name).toBe(service);
      expect(c.command).toEqual(['node', `dist/apps/${service}/main.js`]);
      expect(c.args).toBeUndefined();
      expect(c.ports).toEqual([{ name: 'http', containerPort: PORTS[service], protocol: 'TCP' }]);
      expect(c.env?.find((e) => e.name === 'PORT')?.value).toBe(String(PORTS[service]));
      expect(deployment().spec!.selector.matchLabels).toEqual({
        'app.kubernetes.io/name': service,
        'app.kubernetes.io/part-of': PART_OF,
      });
      expect(matches(deployment().spec!.selector.matchLabels, podLabels())).toBe(true);
    });

    it('probes /health/live (startup, liveness) and /health/ready (readiness) on the container port', () => {
      const c = container();
      const port = (probe: IProbe | undefined) => {
        const target = probe?.httpGet?.port;
        return typeof target === 'string'
          ? c.ports?.find((p) => p.name === target)?.containerPort
          : target;
      };
      for (const [probe, path] of [
        [c.startupProbe, '/health/live'],
        [c.livenessProbe, '/health/live'],
        [c.readinessProbe, '/health/ready'],
      ] as const) {
        expect(probe?.httpGet?.path).toBe(path);
        expect(port(probe)).toBe(PORTS[service]);
        expect(probe?.periodSeconds).toBeGreaterThan(0);
        expect(probe?.timeoutSeconds).toBeGreaterThan(0);
        expect(probe?.failureThreshold).toBeGreaterThan(0);
      }
      // Migrations run before the HTTP server listens: give them minutes, not seconds.
      const startup = c.startupProbe!;
      expect(startup.periodSeconds! * startup.failureThreshold!).toBeGreaterThanOrEqual(180);
      // The readiness check waits up to 2.5 s for Kafka; the probe must wait longer.
      expect(c.readinessProbe!.timeoutSeconds).toBeGreaterThan(2.5);
    });

    it('sets resource requests and limits, requests within limits', () => {
      const { requests, limits } = container().resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        const request = quantity(requests?.[resource]);
        const limit = quantity(limits?.[resource]);
        expect([resource, request > 0, limit > 0]).toEqual([resource, true, true]);
        expect(request).toBeLessThanOrEqual(limit);
      }
      // The services aim at < 200 MB RSS: the limit leaves room, V8's heap cap stays below it.
      const memoryLimit = quantity(limits?.memory);
      expect(memoryLimit).toBeGreaterThanOrEqual(256 * 2 ** 20);
      const heap = /--max-old-space-size=(\d+)/.exec(
        container().env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '',
      );
      expect(heap).not.toBeNull();
      expect(Number(heap![1]) * 2 ** 20).toBeLessThan(memoryLimit * 0.8);
    });

    it('stops within the grace period after finishing in-flight work', () => {
      const grace = podSpec().terminationGracePeriodSeconds!;
      const shutdownMs = Number(
        container().env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value,
      );
      expect(grace).toBe(30);
      expect(shutdownMs).toBe(25000);
      expect(shutdownMs).toBeLessThan(grace * 1000);
    });

    it('exposes its pods through a ClusterIP Service on a port named http', () => {
      const svc = one<IService>(objects, 'Service', service);
      expect(svc.spec!.type).toBe('ClusterIP');
      expect(matches(svc.spec!.selector, podLabels())).toBe(true);
      expect(svc.spec!.ports).toEqual([
        { name: 'http', port: PORTS[service], targetPort: 'http', protocol: 'TCP' },
      ]);
    });

    it('keeps one pod through voluntary disruptions', () => {
      const pdb = one<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', service);
      expect(pdb.spec!.minAvailable).toBe(1);
      expect(matches(pdb.spec!.selector!.matchLabels, podLabels())).toBe(true);
      const replicas = deployment().spec!.replicas ?? 2; // the HPA's minimum for inbound-webhook
      expect(replicas).toBeGreaterThan(pdb.spec!.minAvailable as number);
    });

    it('spreads pods over zones and nodes', () => {
      const constraints = podSpec().topologySpreadConstraints ?? [];
      expect(constraints.map((c) => c.topologyKey).sort()).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
      for (const c of constraints)
        expect(matches(c.labelSelector?.matchLabels, podLabels())).toBe(true);
    });

    it('is scraped by Prometheus on its own port', () => {
      expect(deployment().spec!.template.metadata!.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(PORTS[service]),
        'prometheus.io/path': '/metrics',
      });
    });
  });

  it('runs every pod non-root, read-only, without privileges, with a writable /tmp', () => {
    const problems: string[] = [];
    for (const { owner, spec } of podSpecs(objects)) {
      const pod = spec.securityContext;
      if (pod?.runAsNonRoot !== true || pod.runAsUser !== 1000)
        problems.push(`${idOf(owner)}: not uid 1000`);
      if (pod?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${idOf(owner)}: seccomp`);
      if (spec.automountServiceAccountToken !== false) problems.push(`${idOf(owner)}: SA token`);
      if (spec.hostNetwork || spec.hostPID || spec.hostIPC)
        problems.push(`${idOf(owner)}: host namespaces`);
      const tmp = spec.volumes?.find((v) => v.emptyDir !== undefined);
      for (const c of containersOf(spec)) {
        const where = `${idOf(owner)} ${c.name}`;
        const sc = c.securityContext;
        if (sc?.readOnlyRootFilesystem !== true)
          problems.push(`${where}: root filesystem writable`);
        if (sc?.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation`);
        if (sc?.privileged) problems.push(`${where}: privileged`);
        if (sc?.runAsUser !== undefined && sc.runAsUser === 0)
          problems.push(`${where}: runs as root`);
        if (JSON.stringify(sc?.capabilities) !== JSON.stringify({ drop: ['ALL'] })) {
          problems.push(`${where}: capabilities not dropped`);
        }
        if (!c.volumeMounts?.some((m) => m.mountPath === '/tmp' && m.name === tmp?.name)) {
          problems.push(`${where}: no emptyDir at /tmp`);
        }
        if (!c.resources?.requests || !c.resources.limits) problems.push(`${where}: no resources`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('scales inbound-webhook with an HPA (2–10 on CPU), the others by fixed replicas', () => {
    const hpas = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0].spec!;
    expect(hpa.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'inbound-webhook',
    });
    expect(hpa.minReplicas).toBe(2);
    expect(hpa.maxReplicas).toBeGreaterThanOrEqual(hpa.minReplicas!);
    expect(hpa.maxReplicas).toBeLessThanOrEqual(10);
    expect(hpa.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
    // A replicas field would fight the HPA on every apply.
    expect(
      one<IDeployment>(objects, 'Deployment', 'inbound-webhook').spec!.replicas,
    ).toBeUndefined();
    for (const name of ['channel-config', 'outbound-pager']) {
      expect(one<IDeployment>(objects, 'Deployment', name).spec!.replicas).toBeGreaterThanOrEqual(
        2,
      );
    }
  });

  it('keeps outbound-pager within the partitions and PagerDuty’s per-key rate across replicas', () => {
    const replicas = one<IDeployment>(objects, 'Deployment', 'outbound-pager').spec!.replicas!;
    const partitions = Math.min(
      TOPIC_SPECS['axiorank.incidents.v1'].numPartitions,
      TOPIC_SPECS['axiorank.alerts.v1'].numPartitions,
    );
    expect(replicas).toBeLessThanOrEqual(partitions);
    const data = configMap().data!;
    expect(Number(data.PAGERDUTY_RATE_PER_MINUTE) * replicas).toBeLessThanOrEqual(
      PAGERDUTY_EVENTS_PER_MINUTE,
    );
    expect(Number(data.PAGERDUTY_RATE_BURST) * replicas).toBeLessThanOrEqual(PAGERDUTY_BURST);
  });

  it('has a migration Job that runs `migrate` for all three services, one after the other', () => {
    const jobs = ofKind<IJob>(objects, 'Job');
    expect(jobs).toHaveLength(1);
    const spec = jobs[0].spec!.template.spec!;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.initContainers?.map((c) => c.command)).toEqual(
      SERVICES.map((s) => ['node', `dist/apps/${s}/main.js`, 'migrate']),
    );
    expect(spec.containers.every((c) => serviceOf(c) === undefined)).toBe(true);
    expect(jobs[0].spec!.backoffLimit).toBeGreaterThan(0);
  });

  it('has a suspended CronJob as the template of the key-rotation `reseal` Job', () => {
    const cron = one<ICronJob>(objects, 'CronJob', 'channel-config-reseal');
    expect(cron.spec!.suspend).toBe(true);
    expect(cron.spec!.jobTemplate.spec!.template.spec!.containers.map((c) => c.command)).toEqual([
      ['node', 'dist/apps/channel-config/main.js', 'reseal'],
    ]);
  });

  it('gives the ConfigMap the production settings and no secret', () => {
    const cm = configMap();
    expect(cm.metadata.name).toMatch(new RegExp(`^${CONFIG_MAP}-[0-9a-z]{10}$`));
    expect(Object.keys(cm.data!).sort()).toEqual([...CONFIG_KEYS].sort());
    expect(cm.data!.KAFKA_CREATE_TOPICS).toBe('false');
    expect(cm.data!.LOG_LEVEL).toBe('info');
    for (const key of SECRET_KEYS) expect(Object.keys(cm.data!)).not.toContain(key);
  });

  it('takes every secret from the Secret by reference and holds no secret value anywhere', () => {
    const problems: string[] = [];
    for (const { owner, container } of serviceContainers(objects)) {
      for (const variable of container.env ?? []) {
        const where = `${idOf(owner)} ${container.name} ${variable.name}`;
        const secretRef = variable.valueFrom?.secretKeyRef;
        if (SECRET_KEYS.includes(variable.name)) {
          if (secretRef?.name !== SECRET || secretRef.key !== variable.name || secretRef.optional) {
            problems.push(`${where}: must come from secretKeyRef ${SECRET}/${variable.name}`);
          }
        } else if (secretRef) {
          problems.push(`${where}: unexpected secret`);
        }
      }
      for (const source of container.envFrom ?? [])
        problems.push(`${idOf(owner)}: envFrom ${JSON.stringify(source)}`);
    }
    // Nothing that looks like a credential: a URL with a password, a key ring, a JWT secret.
    for (const o of objects) {
      for (const [path, value] of strings(o)) {
        if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(value) || /\b[\w-]+:[A-Za-z0-9+/]{43}=/.test(value)) {
          problems.push(`${idOf(o)} ${path}: looks like a secret`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('uses exactly the variables the services’ env classes declare', () => {
    const problems: string[] = [];
    const configKeys = Object.keys(configMap().data!);
    for (const { owner, container, service } of serviceContainers(objects)) {
      const declared = serviceEnv(service);
      const where = `${idOf(owner)} ${container.name}`;
      const given = (container.env ?? []).map((e) => e.name);
      if (new Set(given).size !== given.length) problems.push(`${where}: a variable is set twice`);
      for (const name of given) {
        if (!declared.has(name) && !NODE_RUNTIME_ENV.has(name)) {
          problems.push(`${where}: ${name} is not read by ${service}`);
        }
      }
      for (const variable of declared.values()) {
        if (variable.required && !given.includes(variable.name)) {
          problems.push(`${where}: required ${variable.name} is missing`);
        }
      }
      // Whatever the shared config and Secret hold for this service reaches it (a `migrate`
      // container needs the required variables only: the rest keep their defaults).
      const migrates = container.command?.at(-1) === 'migrate';
      for (const name of [...configKeys, ...SECRET_KEYS]) {
        if (declared.has(name) && !migrates && !given.includes(name)) {
          problems.push(`${where}: ${name} not passed`);
        }
      }
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.configMapKeyRef;
        if (
          ref &&
          (ref.name !== configMap().metadata.name ||
            ref.key !== variable.name ||
            !configKeys.includes(ref.key))
        ) {
          problems.push(`${where}: ${variable.name} refers to ${ref.name}/${ref.key}`);
        }
      }
    }
    // Every ConfigMap key is read by some service.
    for (const key of configKeys) {
      if (!SERVICES.some((s) => serviceEnv(s).has(key)))
        problems.push(`ConfigMap key ${key} is read by no service`);
    }
    expect(problems).toEqual([]);
  });

  it('configures each container so that its service’s own config validation accepts it', () => {
    const failures: string[] = [];
    for (const { owner, container, service } of serviceContainers(objects)) {
      try {
        LOADERS[service](resolvedEnv(container, objects));
      } catch (error) {
        failures.push(
          `${idOf(owner)} ${container.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('k8s/base', () => {
  const objects = kustomizeBuild(BASE);

  it('is namespace-free and exposes nothing publicly', () => {
    expect(objects.filter((o) => o.metadata.namespace !== undefined).map(idOf)).toEqual([]);
    expect(ofKind(objects, 'Ingress')).toEqual([]);
    expect(
      ofKind<IService>(objects, 'Service')
        .filter((s) => s.spec!.type !== 'ClusterIP')
        .map(idOf),
    ).toEqual([]);
  });
});

describe('k8s/overlays/example', () => {
  const objects = kustomizeBuild(OVERLAY);
  const base = kustomizeBuild(BASE);

  it('puts everything in its namespace and runs the released image', () => {
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(
      new Set(['axiorank-pagerduty']),
    );
    const images = podSpecs(objects).flatMap(({ spec }) => containersOf(spec).map((c) => c.image));
    expect(new Set(images)).toEqual(new Set(['registry.example.com/axiorank/pagerduty:1.0.0']));
  });

  it('sets the cluster’s addresses and the replicas', () => {
    const data = ofKind<IConfigMap>(objects, 'ConfigMap')[0].data!;
    expect(data.PUBLIC_WEBHOOK_BASE_URL).toBe('https://hooks.example.com');
    expect(data.KAFKA_BROKERS).not.toBe(
      ofKind<IConfigMap>(base, 'ConfigMap')[0].data!.KAFKA_BROKERS,
    );
    expect(data.APP_BASE_URL).not.toMatch(/\.invalid\b/);
    expect(one<IDeployment>(objects, 'Deployment', 'outbound-pager').spec!.replicas).toBe(3);
    expect(
      one<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'inbound-webhook').spec!
        .maxReplicas,
    ).toBe(6);
  });

  it('renames the changed ConfigMap and points every reference at the new name', () => {
    const name = ofKind<IConfigMap>(objects, 'ConfigMap')[0].metadata.name;
    expect(name).not.toBe(ofKind<IConfigMap>(base, 'ConfigMap')[0].metadata.name);
    const refs = serviceContainers(objects).flatMap(({ container }) =>
      (container.env ?? []).flatMap((e) => e.valueFrom?.configMapKeyRef?.name ?? []),
    );
    expect(refs.length).toBeGreaterThan(0);
    expect(new Set(refs)).toEqual(new Set([name]));
  });

  it('publishes only inbound-webhook’s PagerDuty path through the Ingress', () => {
    const ingresses = ofKind<IIngress>(objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const spec = ingresses[0].spec!;
    expect(spec.tls).toEqual([{ hosts: ['hooks.example.com'], secretName: expect.any(String) }]);
    expect(spec.defaultBackend).toBeUndefined();
    expect(spec.rules).toEqual([
      {
        host: 'hooks.example.com',
        http: {
          paths: [
            {
              path: '/v1/webhooks/pagerduty',
              pathType: 'Prefix',
              backend: { service: { name: 'inbound-webhook', port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
    // The public host is the one channels show as their webhook URL.
    const data = ofKind<IConfigMap>(objects, 'ConfigMap')[0].data!;
    expect(new URL(data.PUBLIC_WEBHOOK_BASE_URL).host).toBe(spec.rules![0].host);
  });
});

describe('k8s/README.md', () => {
  const readme = readFileSync(join(REPO_ROOT, 'k8s', 'README.md'), 'utf8');

  it('lists every topic the platform must create, with the partitions and config of libs/contracts', () => {
    // Table rows: | `axiorank.….v1[.dlq]` | partitions | config | …
    const rows = [
      ...readme.matchAll(/^\|\s*`(axiorank\.[a-z0-9.-]+)`\s*\|\s*(\d+)\s*\|\s*([^|]*)\|/gm),
    ].map(([, topic, partitions, config]) => ({
      topic,
      partitions: Number(partitions),
      config: config.trim(),
    }));
    const expected = Object.values(TOPIC_SPECS).map((spec) => ({
      topic: spec.topic,
      partitions: spec.numPartitions,
      config: spec.configEntries.map((e) => `\`${e.name}=${e.value}\``).join(', '),
    }));
    expect(rows.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual(
      expected.sort((a, b) => a.topic.localeCompare(b.topic)),
    );
  });
});

// ---- the checks bite --------------------------------------------------------------------

describe('the validator', () => {
  const pristine = () =>
    structuredClone(one<IDeployment>(kustomizeBuild(BASE), 'Deployment', 'outbound-pager'));

  it('accepts the pristine Deployment', () => {
    expect(validateObject(pristine())).toEqual([]);
  });

  it.each<[string, (d: IDeployment & K8sObject) => void, RegExp]>([
    [
      'a misspelt probe field',
      (d) =>
        Object.assign(d.spec!.template.spec!.containers[0].livenessProbe!, { periodSecond: 10 }),
      /containers\[0\]\.livenessProbe\.periodSecond: unknown field/,
    ],
    [
      'a misspelt spec field',
      (d) => Object.assign(d.spec!, { replica: 2 }),
      /^spec\.replica: unknown field/,
    ],
    [
      'a field at the wrong level',
      (d) => Object.assign(d.spec!.template.spec!, { readOnlyRootFilesystem: true }),
      /template\.spec\.readOnlyRootFilesystem: unknown field/,
    ],
    [
      'a number given as a string',
      (d) => Object.assign(d.spec!, { replicas: '2' }),
      /schema: .*replicas must be integer/,
    ],
    [
      'a malformed quantity',
      (d) =>
        Object.assign(d.spec!.template.spec!.containers[0].resources!.limits!, { memory: '512MB' }),
      /schema: .*limits\/memory/,
    ],
    [
      'a container without a name',
      (d) => delete (d.spec!.template.spec!.containers[0] as Partial<IContainer>).name,
      /schema: .*containers\/0 must have required property '?name'?/,
    ],
    [
      'an unknown apiVersion',
      (d) => Object.assign(d, { apiVersion: 'apps/v1beta3' }),
      /apps\/v1beta3\/Deployment is not a known kind/,
    ],
  ])('rejects %s', (_what, breakIt, expected) => {
    const broken = pristine();
    breakIt(broken);
    const problems = validateObject(broken);
    expect(problems.some((p) => expected.test(p))).toBe(true);
  });
});

describe('the kustomize renderer', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  const configMapFile = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  A: "1"\n';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a kustomize feature it does not implement', () => {
    write('kustomization.yaml', 'resources: [c.yaml]\nnamePrefix: x-\n');
    write('c.yaml', configMapFile);
    expect(() => kustomizeBuild(dir)).toThrow(/"namePrefix" is not supported/);
  });

  it('refuses YAML that YAML 1.1 and 1.2 read differently', () => {
    write('kustomization.yaml', 'resources: [c.yaml]\n');
    write('c.yaml', configMapFile.replace('A: "1"', 'A: on'));
    expect(() => kustomizeBuild(dir)).toThrow(/YAML 1.1 and 1.2/);
  });

  it('refuses a patch or replicas entry that matches nothing', () => {
    write('c.yaml', configMapFile);
    write('kustomization.yaml', 'resources: [c.yaml]\nreplicas: [{ name: nope, count: 2 }]\n');
    expect(() => kustomizeBuild(dir)).toThrow(/no Deployment or StatefulSet named nope/);
    write(
      'kustomization.yaml',
      'resources: [c.yaml]\npatches:\n  - target: { kind: ConfigMap, name: d }\n    patch: "[]"\n',
    );
    expect(() => kustomizeBuild(dir)).toThrow(/no ConfigMap named d/);
  });

  it('merges generated ConfigMaps, sets the namespace and applies JSON 6902 patches', () => {
    write(
      'base/kustomization.yaml',
      'resources: [c.yaml]\nconfigMapGenerator:\n  - name: g\n    literals: [A=1, B="two"]\n',
    );
    write('base/c.yaml', configMapFile);
    write(
      'kustomization.yaml',
      [
        'namespace: ns',
        'resources: [base]',
        'configMapGenerator:',
        '  - name: g',
        '    behavior: merge',
        '    literals: [B=3]',
        'patches:',
        '  - target: { kind: ConfigMap, name: c }',
        '    patch: |-',
        '      - { op: add, path: /data/Z, value: z }',
        '      - { op: remove, path: /data/A }',
      ].join('\n'),
    );
    const rendered = kustomizeBuild(dir);
    expect(
      rendered.map((o) => [
        o.metadata.name.replace(/-[0-9a-z]{10}$/, '-HASH'),
        o.metadata.namespace,
        o.data,
      ]),
    ).toEqual([
      ['c', 'ns', { Z: 'z' }],
      ['g-HASH', 'ns', { A: '1', B: '3' }],
    ]);
  });
});
