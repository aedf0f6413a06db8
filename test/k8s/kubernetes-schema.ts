// Validates rendered Kubernetes objects two ways, both from the `kubernetes-models` package:
//  1. its JSON-schema validators (types, formats such as quantities, required fields), and
//  2. its TypeScript declarations, read with the TypeScript compiler, for unknown fields: the
//     Kubernetes schemas allow extra properties, so `periodSecond:` would pass (1) unnoticed,
//     while the API server drops or rejects it. Every field must be declared by the API type.
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}

interface KindEntry {
  readonly apiVersion: string;
  readonly kind: string;
  /** The module (under kubernetes-models) declaring the API type, and its interface name. */
  readonly typeModule: string;
  readonly typeName: string;
  readonly create: (data: object) => Validatable;
}

// The kinds these manifests use. An object of any other apiVersion/kind fails: a typo in
// `apiVersion: apps/v1` must not slip through as "unknown, so unchecked".
const KINDS: readonly KindEntry[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    typeModule: 'kubernetes-models/v1/ConfigMap',
    typeName: 'IConfigMap',
    create: (data) => new ConfigMap(data),
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    typeModule: 'kubernetes-models/v1/Service',
    typeName: 'IService',
    create: (data) => new Service(data),
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    typeModule: 'kubernetes-models/apps/v1/Deployment',
    typeName: 'IDeployment',
    create: (data) => new Deployment(data),
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    typeModule: 'kubernetes-models/batch/v1/Job',
    typeName: 'IJob',
    create: (data) => new Job(data),
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    typeModule: 'kubernetes-models/batch/v1/CronJob',
    typeName: 'ICronJob',
    create: (data) => new CronJob(data),
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    typeModule: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    typeName: 'IHorizontalPodAutoscaler',
    create: (data) => new HorizontalPodAutoscaler(data),
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    typeModule: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    typeName: 'IPodDisruptionBudget',
    create: (data) => new PodDisruptionBudget(data),
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    typeModule: 'kubernetes-models/networking.k8s.io/v1/Ingress',
    typeName: 'IIngress',
    create: (data) => new Ingress(data),
  },
];

const kindKey = (apiVersion: string, kind: string): string => `${apiVersion} ${kind}`;

/** Reads the API types out of kubernetes-models' declarations, once per test file. */
class ApiTypes {
  private readonly checker: ts.TypeChecker;
  private readonly roots = new Map<string, ts.Type>();

  constructor() {
    // A virtual source file beside this one, so that `kubernetes-models` resolves from the
    // repository's node_modules; it names one property per kind, typed with the API interface.
    const file = join(__dirname, '__k8s_api_types__.ts');
    const source = [
      ...KINDS.map((k, i) => `import type { ${k.typeName} as T${i} } from '${k.typeModule}';`),
      'export interface Kinds {',
      ...KINDS.map((k, i) => `  ${JSON.stringify(kindKey(k.apiVersion, k.kind))}: T${i};`),
      '}',
    ].join('\n');
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, languageVersion, ...rest) =>
      name === file
        ? ts.createSourceFile(name, source, languageVersion, true)
        : getSourceFile.call(host, name, languageVersion, ...rest);
    host.fileExists = (name) => name === file || fileExists.call(host, name);
    host.readFile = (name) => (name === file ? source : readFile.call(host, name));
    const program = ts.createProgram([file], options, host);

    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    if (problems.length > 0) {
      throw new Error(`cannot read kubernetes-models declarations:\n${problems.join('\n')}`);
    }
    this.checker = program.getTypeChecker();
    const sourceFile = program.getSourceFile(file);
    const moduleSymbol = sourceFile && this.checker.getSymbolAtLocation(sourceFile);
    const kinds =
      moduleSymbol && this.checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'Kinds');
    if (!kinds) throw new Error(`no Kinds interface in ${dirname(file)}`);
    for (const property of this.checker.getPropertiesOfType(
      this.checker.getDeclaredTypeOfSymbol(kinds),
    )) {
      this.roots.set(property.name, this.checker.getTypeOfSymbol(property));
    }
  }

  /** Fields of `value` (and below) that the API type of its apiVersion/kind does not declare. */
  unknownFields(value: { apiVersion: string; kind: string }): string[] {
    const root = this.roots.get(kindKey(value.apiVersion, value.kind));
    if (!root) return [`${value.apiVersion}/${value.kind} is not a known kind`];
    const found: string[] = [];
    this.walk(value, root, '', found);
    return found;
  }

  private walk(value: unknown, type: ts.Type, path: string, found: string[]): void {
    if (value === null || typeof value !== 'object') return; // primitive types: the schemas check them
    const candidates = this.withoutNullish(type);
    if (Array.isArray(value)) {
      const arrayType = candidates.find((t) => this.checker.isArrayType(t));
      if (!arrayType) return; // not meant to be a list: the schemas report the type
      const [element] = this.checker.getTypeArguments(arrayType as ts.TypeReference);
      value.forEach((item, i) => this.walk(item, element, `${path}[${i}]`, found));
      return;
    }
    const objectType = candidates.find(
      (t) => (t.flags & ts.TypeFlags.Object) !== 0 && !this.checker.isArrayType(t),
    );
    if (!objectType) return; // not meant to be an object: the schemas report the type
    const index = this.checker.getIndexInfoOfType(objectType, ts.IndexKind.String);
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path ? `${path}.${key}` : key;
      const property = this.checker.getPropertyOfType(objectType, key);
      if (property) {
        this.walk(child, this.checker.getTypeOfSymbol(property), childPath, found);
      } else if (index) {
        this.walk(child, index.type, childPath, found);
      } else {
        found.push(`${childPath}: unknown field`);
      }
    }
  }

  private withoutNullish(type: ts.Type): ts.Type[] {
    const parts = type.isUnion() ? type.types : [type];
    return parts.filter((t) => (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) === 0);
  }
}

let apiTypes: ApiTypes | undefined;

/**
 * Every problem with one object: an unknown apiVersion/kind, a schema violation, or a field the
 * API type does not declare. Empty when the object is valid.
 */
export function validateObject(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ['not an object'];
  }
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return ['apiVersion and kind must be strings'];
  }
  const entry = KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
  if (!entry) return [`${apiVersion}/${kind} is not a known kind`];

  const problems: string[] = [];
  try {
    entry.create(value).validate();
  } catch (error) {
    problems.push(`schema: ${error instanceof Error ? error.message : String(error)}`);
  }
  apiTypes ??= new ApiTypes();
  problems.push(...apiTypes.unknownFields({ ...value, apiVersion, kind }));
  return problems;
}

export const KNOWN_KINDS: readonly string[] = KINDS.map((k) => `${k.apiVersion}/${k.kind}`);
