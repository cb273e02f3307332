import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * GitHub's official OpenAPI description of api.github.com (the @octokit/openapi package), turned
 * into validators for requests and responses, a router from method + path to the operation, and
 * minimal valid response objects. Test code for the fake GitHub API (fake-github.ts).
 */

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}
interface Spec {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  };
}

export interface Route {
  template: string;
  method: string;
  operationId: string;
  params: Record<string, string>;
}

/**
 * OpenAPI 3.0's `nullable: true` is not JSON Schema; Ajv only accepts it next to `type`, and the
 * spec often puts it next to allOf/anyOf. Rewrite it as JSON Schema, and point local references at
 * the components document registered under COMPONENTS.
 */
const COMPONENTS = 'https://fake-github.invalid/components.json';
function toJsonSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toJsonSchema);
  if (v === null || typeof v !== 'object') return v;
  const o: Schema = {};
  for (const [k, x] of Object.entries(v as Schema)) {
    if (k === '$ref' && typeof x === 'string' && x.startsWith('#/components/')) o[k] = `${COMPONENTS}${x}`;
    else o[k] = toJsonSchema(x);
  }
  if (o.nullable !== true) return o;
  delete o.nullable;
  if (typeof o.type === 'string') {
    o.type = [o.type, 'null'];
    if (Array.isArray(o.enum) && !o.enum.includes(null)) o.enum = [...o.enum, null];
    return o;
  }
  return { anyOf: [{ type: 'null' }, o] };
}

export class GitHubOpenApi {
  private readonly spec: Spec;
  private readonly components: Schema;
  private readonly ajv: Ajv;
  /** Query and path values arrive as strings: this one coerces them to the declared types. */
  private readonly ajvParams: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly samples = new Map<string, Schema>();
  private readonly routes: Array<{ re: RegExp; template: string; names: string[]; literal: number }>;

  constructor() {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    this.spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    this.components = toJsonSchema({ components: this.spec.components }) as Schema;
    const make = (coerce: boolean) => {
      const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce, validateSchema: false });
      addFormats(ajv);
      for (const f of ['int64', 'timestamp', 'repo.nwo']) ajv.addFormat(f, true);
      ajv.addSchema({ $id: COMPONENTS, ...this.components });
      return ajv;
    };
    this.ajv = make(false);
    this.ajvParams = make(true);
    this.routes = Object.keys(this.spec.paths).map((template) => {
      const names: string[] = [];
      const re = new RegExp(
        `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      return { re, template, names, literal: template.replace(/\{[^}]+\}/g, '').length };
    });
  }

  /** The operation for `method path`: an error string when the description has no such path or method. */
  route(method: string, path: string): Route | string {
    const matches = this.routes
      .map((r) => ({ r, m: r.re.exec(path) }))
      .filter((x) => x.m)
      .sort((a, b) => b.r.literal - a.r.literal);
    if (!matches.length) return `no operation in GitHub's API description has the path ${path}`;
    for (const { r, m } of matches) {
      const op = this.spec.paths[r.template]![method.toLowerCase()];
      if (!op) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m![i + 1]!)));
      return { template: r.template, method: method.toUpperCase(), operationId: op.operationId, params };
    }
    return `${method} is not an operation on ${matches[0]!.r.template} in GitHub's API description`;
  }

  private op(r: Route): Operation {
    return this.spec.paths[r.template]![r.method.toLowerCase()]!;
  }

  private parameters(r: Route): Parameter[] {
    return (this.op(r).parameters ?? []).map((p) => {
      if ('$ref' in p) return this.spec.components.parameters[p.$ref.split('/').pop()!]!;
      return p;
    });
  }

  private validator(key: string, schema: unknown, params = false): ValidateFunction {
    let v = this.cache.get(key);
    if (!v) {
      v = (params ? this.ajvParams : this.ajv).compile(toJsonSchema(schema) as Schema);
      this.cache.set(key, v);
    }
    return v;
  }

  private static errors(v: ValidateFunction, where: string): string[] {
    return (v.errors ?? []).map(
      (e) => `${where}${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  }

  /**
   * Every way the request breaks the description: path parameters, query parameters (unknown
   * ones too), the JSON body against the operation's schema. Stricter than GitHub in one way: body
   * fields the schema does not list are refused (GitHub ignores them; a client sending them has a typo).
   */
  validateRequest(r: Route, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const problems: string[] = [];
    const declared = this.parameters(r);
    for (const p of declared.filter((x) => x.in === 'path')) {
      const v = this.validator(`${r.operationId} path ${p.name}`, p.schema, true);
      const holder = { value: r.params[p.name] };
      if (!v(holder.value)) problems.push(...GitHubOpenApi.errors(v, `path parameter ${p.name}`));
    }
    const queryParams = declared.filter((x) => x.in === 'query');
    for (const name of new Set(query.keys())) {
      const p = queryParams.find((x) => x.name === name);
      if (!p) {
        problems.push(`query parameter ${name} is not defined for ${r.operationId}`);
        continue;
      }
      const v = this.validator(`${r.operationId} query ${name}`, { type: 'object', properties: { v: p.schema } }, true);
      if (!v({ v: query.get(name) })) problems.push(...GitHubOpenApi.errors(v, `query parameter ${name}`));
    }
    for (const p of queryParams.filter((x) => x.required))
      if (!query.has(p.name)) problems.push(`query parameter ${p.name} is required`);
    const rb = this.op(r).requestBody;
    if (!rb) {
      if (hasBody) problems.push(`${r.operationId} takes no request body`);
      return problems;
    }
    if (!hasBody) {
      if (rb.required) problems.push(`${r.operationId} requires a JSON body`);
      return problems;
    }
    const schema = rb.content['application/json']?.schema;
    if (!schema) return [...problems, `${r.operationId} takes no JSON body`];
    const v = this.validator(`${r.operationId} body`, schema);
    if (!v(body)) problems.push(...GitHubOpenApi.errors(v, 'body'));
    const props = (schema as { properties?: Schema }).properties;
    if (props && body && typeof body === 'object' && !Array.isArray(body))
      for (const k of Object.keys(body))
        if (!(k in props)) problems.push(`body field ${k} is not defined for ${r.operationId}`);
    return problems;
  }

  /** The response schema for `status` (undeclared error statuses: GitHub's basic-error). */
  private responseSchema(r: Route, status: number): Schema | null {
    let resp = this.op(r).responses[String(status)];
    if (resp?.$ref) resp = this.spec.components.responses[resp.$ref.split('/').pop()!];
    const json = resp?.content?.['application/json']?.schema;
    if (json) return json;
    // Errors declared without a body (or not declared: 401, 429, 5xx) come as GitHub's basic-error.
    return status >= 400 ? { $ref: '#/components/schemas/basic-error' } : null;
  }

  validateResponse(r: Route, status: number, body: unknown): string[] {
    const declared = Object.keys(this.op(r).responses);
    if (status < 400 && !declared.includes(String(status)))
      return [`${r.operationId} does not answer ${status} (declared: ${declared.join(', ')})`];
    const schema = this.responseSchema(r, status);
    if (!schema) return body === undefined ? [] : [`${r.operationId} ${status} has no JSON body`];
    const v = this.validator(`${r.operationId} response ${status}`, schema);
    return v(body) ? [] : GitHubOpenApi.errors(v, `response ${status}`);
  }

  /** A smallest valid instance of components/schemas/<name>, for fields the fake does not track. */
  sample(name: string): Schema {
    let s = this.samples.get(name);
    if (!s) {
      s = this.sampleOf({ $ref: `${COMPONENTS}#/components/schemas/${name}` }, 0) as Schema;
      this.samples.set(name, s);
    }
    return structuredClone(s);
  }

  private resolve(s: Schema): Schema {
    for (let i = 0; i < 32 && typeof s.$ref === 'string'; i++) {
      const path = (s.$ref as string).replace(`${COMPONENTS}#/`, '').split('/');
      s = path.reduce<Schema>((o, k) => o[k] as Schema, this.components);
    }
    return s;
  }

  private sampleOf(schema: Schema, depth: number): unknown {
    if (depth > 40) throw new Error('sample: schema nested too deeply');
    const s = this.resolve(schema);
    if (s.anyOf || s.oneOf) {
      const alts = (s.anyOf ?? s.oneOf) as Schema[];
      const nullable = alts.find((a) => a.type === 'null');
      return nullable ? null : this.sampleOf(alts[0]!, depth + 1);
    }
    if (s.allOf) {
      const parts = (s.allOf as Schema[]).map((a) => this.sampleOf(a, depth + 1));
      return parts.every((p) => p && typeof p === 'object') ? Object.assign({}, ...parts) : parts[0];
    }
    if (Array.isArray(s.enum)) return s.enum[0];
    const type = Array.isArray(s.type) ? (s.type.includes('null') ? 'null' : s.type[0]) : s.type;
    switch (type) {
      case 'null':
        return null;
      case 'object': {
        const o: Schema = {};
        const props = (s.properties ?? {}) as Record<string, Schema>;
        for (const k of (s.required ?? []) as string[]) o[k] = props[k] ? this.sampleOf(props[k], depth + 1) : 'x';
        return o;
      }
      case 'array':
        return [];
      case 'integer':
      case 'number':
        return typeof s.minimum === 'number' ? s.minimum : 1;
      case 'boolean':
        return false;
      case 'string':
        switch (s.format) {
          case 'date-time':
            return '2026-11-23T10:00:00Z';
          case 'date':
            return '2026-11-23';
          case 'uri':
          case 'uri-template':
            return 'https://fake-github.invalid/';
          case 'email':
            return 'fake@example.invalid';
          default:
            return 'x';
        }
      default:
        // No type at all (any value): an empty object is as good as anything.
        return s.properties || s.required ? this.sampleOf({ ...s, type: 'object' }, depth + 1) : {};
    }
  }
}

let shared: GitHubOpenApi | undefined;
/** Parsing the 13 MB description takes a moment: once per test file. */
export function githubOpenApi(): GitHubOpenApi {
  shared ??= new GitHubOpenApi();
  return shared;
}
