import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { run, tempProject, writeJson, writeModel } from '../support/helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every column type of an MLflow column-based signature, one optional column among them. */
const COLUMNS = [
  { type: 'double', name: 'amount', required: true },
  { type: 'long', name: 'account_age_days', required: true },
  { type: 'string', name: 'country', required: true },
  { type: 'boolean', name: 'is_new_device', required: true },
  { type: 'datetime', name: 'event_time', required: true },
  { type: 'binary', name: 'device_fingerprint', required: false },
  { type: 'integer', name: 'items', required: true },
  { type: 'float', name: 'risk_prior', required: false },
];

/** An MLmodel file as mlflow.sklearn.save_model (MLflow 2.x) writes it: keys sorted, signature sides as JSON strings. */
function mlmodel(
  inputs: unknown,
  outputs: unknown = [{ type: 'tensor', 'tensor-spec': { dtype: 'int64', shape: [-1] } }],
) {
  return `flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.4.2
mlflow_version: 2.12.1
model_size_bytes: 1843
model_uuid: 6f1c2d9e0a4b4c8e9f2a7b3c5d6e8f10
signature:
  inputs: '${JSON.stringify(inputs)}'
  outputs: '${JSON.stringify(outputs)}'
  params: null
utc_time_created: '2026-11-20 09:14:03.512734'
`;
}

function mlflowFolder(dir: string, MLmodel: string) {
  return writeModel(dir, 'mlflow-model', {
    MLmodel,
    'model.pkl': randomBytes(1843),
    'conda.yaml':
      'channels:\n- conda-forge\ndependencies:\n- python=3.11.7\n- pip<=24.0\n- pip:\n  - mlflow==2.12.1\n  - scikit-learn==1.4.2\nname: mlflow-env\n',
    'python_env.yaml': 'python: 3.11.7\nbuild_dependencies:\n- pip==24.0\ndependencies:\n- -r requirements.txt\n',
    'requirements.txt': 'mlflow==2.12.1\nscikit-learn==1.4.2\n',
  });
}

async function project() {
  const dir = await tempProject();
  dirs.push(dir);
  return dir;
}

const show = async (dir: string, ref: string) =>
  JSON.parse((await run(['show', ref, '--json'], { cwd: dir })).stdout).data;

describe('register an MLflow model folder', () => {
  it('records its flavors and takes the column-based signature as the feature schema', async () => {
    const dir = await project();
    mlflowFolder(dir, mlmodel(COLUMNS));
    const r = await run(['register', 'fraud', './mlflow-model/', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.data.mlflow).toEqual({ flavors: ['python_function', 'sklearn'], schemaFrom: 'signature' });
    expect(out.warnings).toEqual([
      "mlflow-model/MLmodel: the MLmodel signature's outputs are tensors; they are recorded as such, not as schema fields",
    ]);
    const v = await show(dir, 'fraud@1');
    expect(v.files.map((f: { path: string }) => f.path)).toEqual([
      'MLmodel',
      'conda.yaml',
      'model.pkl',
      'python_env.yaml',
      'requirements.txt',
    ]);
    expect(v.featureSchema).toEqual({
      inputs: COLUMNS.map(({ type, name, required }) => ({ name, type, required })),
      outputs: [],
    });
    expect(v.config.mlflow).toMatchObject({
      flavors: {
        python_function: { loader_module: 'mlflow.sklearn', model_path: 'model.pkl' },
        sklearn: { sklearn_version: '1.4.2', serialization_format: 'cloudpickle' },
      },
      mlflow_version: '2.12.1',
      model_uuid: '6f1c2d9e0a4b4c8e9f2a7b3c5d6e8f10',
      signature: { outputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'int64', shape: [-1] } }], params: null },
    });
    const text = (await run(['show', 'fraud@1'], { cwd: dir })).stdout;
    expect(text).toMatch(/input\s+device_fingerprint\s+binary\s+no/);
    expect(text).toMatch(/input\s+event_time\s+datetime\s+yes/);
    expect(text).toMatch(/"sklearn_version": "1\.4\.2"/);
  });

  it('column-based outputs become schema outputs; an old "optional" flag is read', async () => {
    const dir = await project();
    mlflowFolder(
      dir,
      mlmodel(
        [
          { type: 'double', name: 'x' },
          { type: 'string', name: 'note', optional: true },
        ],
        [{ type: 'long', name: 'label' }],
      ),
    );
    const r = await run(['register', 'fraud', 'mlflow-model'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    expect((await show(dir, 'fraud@1')).featureSchema).toEqual({
      inputs: [
        { name: 'x', type: 'double', required: true },
        { name: 'note', type: 'string', required: false },
      ],
      outputs: [{ name: 'label', type: 'long', required: true }],
    });
  });

  it('--schema wins, with a warning when it disagrees with the signature', async () => {
    const dir = await project();
    mlflowFolder(dir, mlmodel(COLUMNS));
    const given = {
      inputs: [
        { name: 'amount', type: 'double', required: true },
        { name: 'account_age_days', type: 'integer', required: true },
        { name: 'channel', type: 'string' },
      ],
    };
    writeJson(dir, 'schema.json', given);
    const r = await run(['register', 'fraud', 'mlflow-model', '--schema', 'schema.json', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.data.mlflow.schemaFrom).toBe('--schema');
    expect(out.warnings).toContain(
      '--schema and the signature in mlflow-model/MLmodel disagree (input account_age_days is integer in --schema, long in the signature; input channel is not in the signature; input country is only in the signature; 5 more); --schema is recorded',
    );
    expect((await show(dir, 'fraud@1')).featureSchema).toEqual({ ...given, outputs: [] });

    // The same columns as the signature: no warning.
    writeJson(dir, 'same.json', { inputs: COLUMNS });
    const same = await run(
      ['register', 'fraud', 'mlflow-model', '--schema', 'same.json', '--allow-duplicate', '--json'],
      {
        cwd: dir,
      },
    );
    expect(JSON.parse(same.stdout).warnings.filter((w: string) => w.includes('disagree'))).toEqual([]);
  });

  it('a tensor signature is recorded as such, without a feature schema', async () => {
    const dir = await project();
    const tensor = [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 4] } }];
    mlflowFolder(dir, mlmodel(tensor));
    const r = await run(['register', 'iris', 'mlflow-model', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).data.mlflow.schemaFrom).toBeNull();
    const v = await show(dir, 'iris@1');
    expect(v.featureSchema).toBeNull();
    expect(v.config.mlflow.signature.inputs).toEqual(tensor);
  });

  it('columns mlctl schemas cannot express (arrays, objects, unnamed) leave the schema out with a warning', async () => {
    const dir = await project();
    mlflowFolder(
      dir,
      mlmodel([
        { type: 'double', name: 'x' },
        { type: 'array', items: { type: 'string' }, name: 'tags' },
      ]),
    );
    const r = await run(['register', 'fraud', 'mlflow-model', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).warnings[0]).toBe(
      'mlflow-model/MLmodel: the MLmodel signature gives no feature schema: inputs column "tags" has type "array", which mlctl schemas cannot express',
    );
    expect((await show(dir, 'fraud@1')).featureSchema).toBeNull();
  });

  it('keeps the --config file and adds the MLflow record next to it; no signature is fine', async () => {
    const dir = await project();
    mlflowFolder(dir, 'flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n');
    writeJson(dir, 'train.json', { lr: 0.1 });
    const r = await run(['register', 'fraud', 'mlflow-model', '--config', 'train.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const v = await show(dir, 'fraud@1');
    expect(v.config).toEqual({
      lr: 0.1,
      mlflow: {
        flavors: { python_function: { loader_module: 'mlflow.pyfunc.model' } },
        mlflow_version: null,
        model_uuid: null,
        run_id: null,
        utc_time_created: null,
        signature: null,
      },
    });
  });

  it('a malformed MLmodel is exit 2 naming the file and line, and nothing is registered', async () => {
    const dir = await project();
    mlflowFolder(dir, mlmodel(COLUMNS).replace(`'${JSON.stringify(COLUMNS)}'`, '\'[{"type": "double",\''));
    const r = await run(['register', 'fraud', 'mlflow-model'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'mlctl: mlflow-model/MLmodel: signature.inputs is not valid JSON (line 19); it is written by mlflow as a JSON string\n',
    );
    mlflowFolder(dir, 'flavors: []\n');
    const r2 = await run(['register', 'fraud', 'mlflow-model'], { cwd: dir });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/^mlctl: mlflow-model\/MLmodel: flavors must map each flavor name/);
    expect((await run(['show', 'fraud@1'], { cwd: dir })).code).toBe(2);
  });
});
