// The environment variables each service reads, taken from the source of its env class
// (apps/<service>/src/config/*.env.ts, plus CommonEnv when the class extends it), so the
// manifests are checked against the code and a renamed variable fails the test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICES = ['channel-config', 'inbound-webhook', 'outbound-pager'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface EnvVariable {
  readonly name: string;
  /** Neither a default (`= …`) nor optional (`?`): the service refuses to start without it. */
  readonly required: boolean;
}

const REPO_ROOT = join(__dirname, '..', '..');
const COMMON_ENV_FILE = join(REPO_ROOT, 'libs/platform/src/config/common-env.ts');

// A property declaration in an env class: `  NAME!: type;`, `  NAME?: type;`, `  NAME: type = x;`
const PROPERTY = /^\s+(?:readonly\s+)?([A-Z][A-Z0-9_]*)\s*([!?])?\s*:[^=;\n]*(=)?/gm;

function classBody(source: string, className: string, file: string): string {
  const start = source.search(new RegExp(`export class ${className}\\b`));
  if (start < 0) throw new Error(`${file}: no class ${className}`);
  const end = source.indexOf('\n}', start);
  return source.slice(start, end < 0 ? undefined : end);
}

function propertiesOf(body: string): EnvVariable[] {
  return [...body.matchAll(PROPERTY)].map(([, name, marker, assignment]) => ({
    name,
    required: marker !== '?' && assignment === undefined,
  }));
}

export function envClassFile(service: ServiceName): string {
  const dir = join(REPO_ROOT, 'apps', service, 'src', 'config');
  const files = readdirSync(dir).filter((f) => f.endsWith('.env.ts') && !f.endsWith('.spec.ts'));
  if (files.length !== 1) throw new Error(`${dir}: expected one *.env.ts, found ${files.length}`);
  return join(dir, files[0]);
}

/** Every variable the service's env class declares, its own and those of CommonEnv. */
export function serviceEnv(service: ServiceName): Map<string, EnvVariable> {
  const file = envClassFile(service);
  const source = readFileSync(file, 'utf8');
  const declaration = /export class (\w+Env)\b(?:\s+extends\s+(\w+))?/.exec(source);
  if (!declaration) throw new Error(`${file}: no exported *Env class`);
  const [, className, parent] = declaration;
  const variables = new Map<string, EnvVariable>();
  if (parent !== undefined) {
    if (parent !== 'CommonEnv') throw new Error(`${file}: ${className} extends unknown ${parent}`);
    const common = readFileSync(COMMON_ENV_FILE, 'utf8');
    for (const v of propertiesOf(classBody(common, 'CommonEnv', COMMON_ENV_FILE))) {
      variables.set(v.name, v);
    }
  }
  for (const v of propertiesOf(classBody(source, className, file))) variables.set(v.name, v);
  if (variables.size === 0) throw new Error(`${file}: no variables found`);
  return variables;
}
