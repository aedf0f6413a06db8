// The part of `kustomize build` that k8s/ uses, in Node, so CI renders the manifests without a
// kustomize binary. It supports exactly these kustomization fields:
//   resources (files and directories), namespace, images, replicas,
//   configMapGenerator (literals; behavior create/merge/replace; options), generatorOptions,
//   patches (JSON 6902 operations add/remove/replace/test on a target kind and name)
// and refuses everything else, so a manifest change that uses another kustomize feature fails
// here rather than being rendered differently from kustomize. It is stricter than kustomize in
// places (a `replicas` or `patches` entry that matches nothing is an error, and every YAML file
// must read the same as YAML 1.1 and 1.2).
//
// One difference: a generated ConfigMap gets a content-hash suffix like kustomize's, and every
// reference to it is rewritten the same way, but the suffix's characters are not kustomize's.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

interface Resource {
  object: K8sObject;
  /** Set for generated ConfigMaps: the name before any hash suffix, and whether to add one. */
  generated?: { name: string; hashSuffix: boolean };
}

type JsonObject = Record<string, unknown>;

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'replicas',
  'configMapGenerator',
  'generatorOptions',
  'patches',
]);
// Kinds the namespace transformer may set a namespace on without side effects elsewhere. Any
// other kind (cluster-scoped ones, or RoleBindings whose subjects kustomize also rewrites) is
// refused rather than rendered unlike kustomize.
const NAMESPACED_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'Service',
  'ServiceAccount',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
  'NetworkPolicy',
]);
const SCALABLE_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'ReplicationController',
]);

class KustomizeError extends Error {}

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function fail(where: string, message: string): never {
  throw new KustomizeError(`${where}: ${message}`);
}

function checkFields(where: string, value: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(where, `"${key}" is not supported by this renderer`);
  }
}

/** Parses every document of a YAML file, refusing text that YAML 1.1 and 1.2 read differently. */
function readYamlDocuments(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  const read = (version: '1.1' | '1.2') =>
    parseAllDocuments(text, { version }).map((doc) => {
      if (doc.errors.length > 0) fail(file, doc.errors.map((e) => e.message).join('; '));
      return doc.toJS() as unknown;
    });
  const yaml12 = read('1.2');
  if (!isDeepStrictEqual(yaml12, read('1.1'))) {
    fail(file, 'reads differently as YAML 1.1 and 1.2 (quote ambiguous scalars like yes/no/on)');
  }
  return yaml12.filter((doc) => doc !== null && doc !== undefined);
}

function asK8sObject(file: string, doc: unknown): K8sObject {
  if (!isObject(doc)) fail(file, 'a document is not a mapping');
  const { apiVersion, kind, metadata } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    fail(file, 'a document has no apiVersion or kind');
  }
  if (kind === 'List' || kind.endsWith('List')) fail(file, `kind ${kind} is not supported`);
  if (!isObject(metadata) || typeof metadata.name !== 'string') {
    fail(file, `${kind} has no metadata.name`);
  }
  return doc as K8sObject;
}

function readKustomization(dir: string): { file: string; spec: JsonObject } {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) fail(dir, 'no kustomization.yaml');
  const docs = readYamlDocuments(file);
  const spec = docs[0];
  if (docs.length !== 1 || !isObject(spec)) fail(file, 'must hold exactly one mapping');
  for (const key of Object.keys(spec)) {
    if (!SUPPORTED_FIELDS.has(key)) fail(file, `"${key}" is not supported by this renderer`);
  }
  if (spec.kind !== undefined && spec.kind !== 'Kustomization')
    fail(file, 'kind must be Kustomization');
  return { file, spec };
}

const listOf = (where: string, value: unknown): unknown[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(where, 'must be a list');
  return value;
};

const stringMap = (where: string, value: unknown): Record<string, string> | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    fail(where, 'must map strings to strings');
  }
  return value as Record<string, string>;
};

interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
}

function readGeneratorOptions(where: string, value: unknown): GeneratorOptions {
  if (value === undefined) return {};
  if (!isObject(value)) fail(where, 'must be a mapping');
  checkFields(where, value, ['labels', 'annotations', 'disableNameSuffixHash']);
  const { disableNameSuffixHash } = value;
  if (disableNameSuffixHash !== undefined && typeof disableNameSuffixHash !== 'boolean') {
    fail(where, 'disableNameSuffixHash must be true or false');
  }
  return {
    labels: stringMap(`${where}.labels`, value.labels),
    annotations: stringMap(`${where}.annotations`, value.annotations),
    disableNameSuffixHash,
  };
}

/** `KEY=VALUE`, split at the first `=`, one pair of surrounding quotes removed, as kustomize does. */
function parseLiteral(where: string, literal: unknown): [string, string] {
  if (typeof literal !== 'string') fail(where, 'a literal must be a string');
  const at = literal.indexOf('=');
  if (at <= 0) fail(where, `literal "${literal}" is not KEY=VALUE`);
  const key = literal.slice(0, at);
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(where, `"${key}" is not a valid ConfigMap key`);
  let value = literal.slice(at + 1);
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
    value = value.slice(1, -1);
  }
  return [key, value];
}

function generateConfigMaps(file: string, spec: JsonObject, resources: Resource[]): void {
  const levelOptions = readGeneratorOptions(`${file} generatorOptions`, spec.generatorOptions);
  for (const [i, raw] of listOf(`${file} configMapGenerator`, spec.configMapGenerator).entries()) {
    const where = `${file} configMapGenerator[${i}]`;
    if (!isObject(raw)) fail(where, 'must be a mapping');
    checkFields(where, raw, ['name', 'behavior', 'literals', 'options']);
    const { name, behavior = 'create' } = raw;
    if (typeof name !== 'string') fail(where, 'name must be a string');
    if (behavior !== 'create' && behavior !== 'merge' && behavior !== 'replace') {
      fail(where, `behavior "${String(behavior)}" must be create, merge or replace`);
    }
    const data: Record<string, string> = {};
    for (const literal of listOf(`${where}.literals`, raw.literals)) {
      const [key, value] = parseLiteral(where, literal);
      if (key in data) fail(where, `key ${key} is given twice`);
      data[key] = value;
    }
    const own = readGeneratorOptions(`${where}.options`, raw.options);
    const labels = { ...levelOptions.labels, ...own.labels };
    const annotations = { ...levelOptions.annotations, ...own.annotations };
    const hashSuffix = !(own.disableNameSuffixHash ?? levelOptions.disableNameSuffixHash ?? false);

    const existing = resources.find(
      (r) => r.object.kind === 'ConfigMap' && r.generated?.name === name,
    );
    if (behavior === 'create') {
      if (existing) fail(where, `ConfigMap ${name} already exists (use behavior: merge)`);
      const metadata: ObjectMeta = { name };
      if (Object.keys(labels).length > 0) metadata.labels = labels;
      if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
      resources.push({
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data },
        generated: { name, hashSuffix },
      });
      continue;
    }
    if (!existing?.generated) fail(where, `no generated ConfigMap ${name} to ${behavior}`);
    const target = existing.object;
    target.data = behavior === 'merge' ? { ...(target.data as JsonObject), ...data } : data;
    if (Object.keys(labels).length > 0) {
      target.metadata.labels = { ...target.metadata.labels, ...labels };
    }
    if (Object.keys(annotations).length > 0) {
      target.metadata.annotations = { ...target.metadata.annotations, ...annotations };
    }
    if (
      own.disableNameSuffixHash !== undefined ||
      levelOptions.disableNameSuffixHash !== undefined
    ) {
      existing.generated.hashSuffix = hashSuffix;
    }
  }
}

/** The pod specs inside a workload, where containers, images and config references live. */
function podSpecs(object: K8sObject): JsonObject[] {
  const spec = object.spec;
  if (!isObject(spec)) return [];
  const template = (holder: unknown): JsonObject[] => {
    if (!isObject(holder) || !isObject(holder.template) || !isObject(holder.template.spec))
      return [];
    return [holder.template.spec];
  };
  switch (object.kind) {
    case 'Pod':
      return [spec];
    case 'CronJob':
      return isObject(spec.jobTemplate) ? template(spec.jobTemplate.spec) : [];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return template(spec);
    default:
      return [];
  }
}

function containersOf(podSpec: JsonObject): JsonObject[] {
  return [podSpec.initContainers, podSpec.containers]
    .flatMap((list): unknown[] => (Array.isArray(list) ? list : []))
    .filter(isObject);
}

function applyImages(file: string, spec: JsonObject, resources: Resource[]): void {
  for (const [i, raw] of listOf(`${file} images`, spec.images).entries()) {
    const where = `${file} images[${i}]`;
    if (!isObject(raw)) fail(where, 'must be a mapping');
    checkFields(where, raw, ['name', 'newName', 'newTag', 'digest']);
    const { name, newName, newTag, digest } = raw;
    if (typeof name !== 'string') fail(where, 'name must be a string');
    for (const field of [newName, newTag, digest]) {
      if (field !== undefined && typeof field !== 'string') fail(where, 'values must be strings');
    }
    if (newTag !== undefined && digest !== undefined)
      fail(where, 'give newTag or digest, not both');
    for (const resource of resources) {
      for (const container of podSpecs(resource.object).flatMap(containersOf)) {
        if (typeof container.image !== 'string') continue;
        const { repository, suffix } = splitImage(container.image);
        if (repository !== name) continue;
        const tagPart =
          typeof newTag === 'string'
            ? `:${newTag}`
            : typeof digest === 'string'
              ? `@${digest}`
              : suffix;
        container.image = `${typeof newName === 'string' ? newName : repository}${tagPart}`;
      }
    }
  }
}

/** `registry:5000/repo/name:tag@sha256:…` → the repository and the `:tag` / `@digest` part. */
function splitImage(image: string): { repository: string; suffix: string } {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  const end = colon > withoutDigest.lastIndexOf('/') ? colon : withoutDigest.length;
  return { repository: image.slice(0, end), suffix: image.slice(end) };
}

function applyReplicas(file: string, spec: JsonObject, resources: Resource[]): void {
  for (const [i, raw] of listOf(`${file} replicas`, spec.replicas).entries()) {
    const where = `${file} replicas[${i}]`;
    if (!isObject(raw)) fail(where, 'must be a mapping');
    checkFields(where, raw, ['name', 'count']);
    const { name, count } = raw;
    if (typeof name !== 'string' || typeof count !== 'number' || !Number.isInteger(count)) {
      fail(where, 'needs a name and an integer count');
    }
    const targets = resources.filter(
      (r) => SCALABLE_KINDS.has(r.object.kind) && r.object.metadata.name === name,
    );
    if (targets.length === 0) fail(where, `no Deployment or StatefulSet named ${name}`);
    for (const { object } of targets) (object.spec as JsonObject).replicas = count;
  }
}

function applyNamespace(file: string, spec: JsonObject, resources: Resource[]): void {
  const namespace = spec.namespace;
  if (namespace === undefined) return;
  if (typeof namespace !== 'string') fail(file, 'namespace must be a string');
  for (const { object } of resources) {
    if (!NAMESPACED_KINDS.has(object.kind)) {
      fail(file, `cannot set the namespace of a ${object.kind} like kustomize does`);
    }
    object.metadata.namespace = namespace;
  }
}

// ---- JSON 6902 ------------------------------------------------------------------------------

function pointerTokens(where: string, pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    fail(where, `"${String(pointer)}" is not a JSON pointer`);
  }
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyOperation(where: string, document: JsonObject, operation: unknown): void {
  if (!isObject(operation)) fail(where, 'an operation must be a mapping');
  const { op, path } = operation;
  if (op !== 'add' && op !== 'remove' && op !== 'replace' && op !== 'test') {
    fail(where, `op "${String(op)}" is not supported (add, remove, replace, test)`);
  }
  checkFields(where, operation, op === 'remove' ? ['op', 'path'] : ['op', 'path', 'value']);
  if (op !== 'remove' && !('value' in operation)) fail(where, `${op} needs a value`);
  const tokens = pointerTokens(where, path);
  const last = tokens.pop();
  if (last === undefined) fail(where, 'cannot patch the whole document');
  let parent: unknown = document;
  for (const token of tokens) {
    const next: unknown = Array.isArray(parent)
      ? parent[Number(token)]
      : isObject(parent)
        ? parent[token]
        : undefined;
    if (next === undefined) fail(where, `path ${String(path)} does not exist`);
    parent = next;
  }
  const value = structuredClone(operation.value);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    const exists = Number.isInteger(index) && index >= 0 && index < parent.length;
    if (!(exists || (op === 'add' && index === parent.length))) {
      fail(where, `index ${last} out of range in ${String(path)}`);
    }
    if (op === 'add') parent.splice(index, 0, value);
    else if (op === 'remove') parent.splice(index, 1);
    else if (op === 'replace') parent[index] = value;
    else if (!isDeepStrictEqual(parent[index], value))
      fail(where, `test failed at ${String(path)}`);
    return;
  }
  if (!isObject(parent)) fail(where, `path ${String(path)} does not exist`);
  if (op !== 'add' && !(last in parent)) fail(where, `path ${String(path)} does not exist`);
  if (op === 'add' || op === 'replace') parent[last] = value;
  else if (op === 'remove') delete parent[last];
  else if (!isDeepStrictEqual(parent[last], value)) fail(where, `test failed at ${String(path)}`);
}

function applyPatches(file: string, spec: JsonObject, resources: Resource[]): void {
  for (const [i, raw] of listOf(`${file} patches`, spec.patches).entries()) {
    const where = `${file} patches[${i}]`;
    if (!isObject(raw)) fail(where, 'must be a mapping');
    checkFields(where, raw, ['target', 'patch']);
    const { target, patch } = raw;
    if (!isObject(target)) fail(where, 'needs a target (kind and name)');
    checkFields(`${where}.target`, target, ['kind', 'name']);
    if (typeof target.kind !== 'string' || typeof target.name !== 'string') {
      fail(where, 'target needs a kind and a name');
    }
    if (typeof patch !== 'string') fail(where, 'needs an inline patch');
    const operations: unknown = parse(patch);
    if (!Array.isArray(operations)) {
      fail(where, 'only JSON 6902 patches (a list of operations) are supported');
    }
    const targets = resources.filter(
      (r) => r.object.kind === target.kind && r.object.metadata.name === target.name,
    );
    if (targets.length === 0) fail(where, `no ${target.kind} named ${target.name}`);
    for (const { object } of targets) {
      for (const operation of operations) applyOperation(where, object, operation);
    }
  }
}

// ---- building -------------------------------------------------------------------------------

function build(dir: string, seen: readonly string[]): Resource[] {
  const root = resolve(dir);
  if (seen.includes(root)) fail(root, 'kustomizations include each other');
  const { file, spec } = readKustomization(root);
  const resources: Resource[] = [];
  for (const entry of listOf(`${file} resources`, spec.resources)) {
    if (typeof entry !== 'string' || /^[a-z]+:\/\//i.test(entry) || entry.includes('?ref=')) {
      fail(file, `resource ${String(entry)} must be a local file or directory`);
    }
    const path = resolve(root, entry);
    if (!existsSync(path)) fail(file, `resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) {
      resources.push(...build(path, [...seen, root]));
    } else {
      resources.push(...readYamlDocuments(path).map((doc) => ({ object: asK8sObject(path, doc) })));
    }
  }
  generateConfigMaps(file, spec, resources);
  applyPatches(file, spec, resources);
  applyNamespace(file, spec, resources);
  applyReplicas(file, spec, resources);
  applyImages(file, spec, resources);
  return resources;
}

function contentHash(object: K8sObject): string {
  const sorted = (value: unknown): unknown =>
    isObject(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, sorted(value[k])]),
        )
      : value;
  const content = JSON.stringify(
    sorted({ kind: object.kind, name: object.metadata.name, data: object.data }),
  );
  return createHash('sha256').update(content).digest('hex').slice(0, 10);
}

/** Adds the hash suffixes and points every ConfigMap reference in a pod spec at the new name. */
function finalizeGeneratedNames(resources: Resource[]): void {
  const renamed = new Map<string, string>(); // `${namespace}/${name}` → new name
  for (const { object, generated } of resources) {
    if (!generated?.hashSuffix) continue;
    const newName = `${generated.name}-${contentHash(object)}`;
    renamed.set(`${object.metadata.namespace ?? ''}/${generated.name}`, newName);
    object.metadata.name = newName;
  }
  for (const { object } of resources) {
    const rename = (ref: unknown) => {
      if (!isObject(ref) || typeof ref.name !== 'string') return;
      const newName = renamed.get(`${object.metadata.namespace ?? ''}/${ref.name}`);
      if (newName) ref.name = newName;
    };
    for (const podSpec of podSpecs(object)) {
      for (const container of containersOf(podSpec)) {
        for (const env of Array.isArray(container.env) ? container.env : []) {
          if (isObject(env) && isObject(env.valueFrom)) rename(env.valueFrom.configMapKeyRef);
        }
        for (const source of Array.isArray(container.envFrom) ? container.envFrom : []) {
          if (isObject(source)) rename(source.configMapRef);
        }
      }
      for (const volume of Array.isArray(podSpec.volumes) ? podSpec.volumes : []) {
        if (!isObject(volume)) continue;
        rename(volume.configMap);
        const sources = isObject(volume.projected) ? volume.projected.sources : undefined;
        for (const source of Array.isArray(sources) ? sources : []) {
          if (isObject(source)) rename(source.configMap);
        }
      }
    }
  }
}

/** `kustomize build <dir>` for the features listed at the top of this file. */
export function kustomizeBuild(dir: string): K8sObject[] {
  const resources = build(dir, []);
  finalizeGeneratedNames(resources);
  const ids = new Set<string>();
  for (const { object } of resources) {
    const id = `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (ids.has(id)) throw new KustomizeError(`${dir}: ${id} is defined twice`);
    ids.add(id);
  }
  return resources.map((r) => structuredClone(r.object));
}

export { KustomizeError };
