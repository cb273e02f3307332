import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const example = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../templates/serving/${name}`, import.meta.url)), 'utf8');

/** A TF Serving config holding three models, written the ways people write them (comments, both colon styles, lists). */
export const THREE_MODELS = `# Production model server config — reviewed in every PR.
# Do not reorder: the ops dashboard reads it top to bottom.
model_config_list {
  # Churn model, owned by the growth team.
  config: {
    name: 'churn'
    base_path: '/models/churn'   # local disk
    model_platform: "tensorflow",
    model_version_policy: { specific: { versions: [7, 8] } }
    version_labels: { key: 'stable' value: 7 }
  }

  config {
    name: "fraud"  # the one mlctl rolls out
    base_path: "s3://ml-artifacts/team/models/fraud"
    model_platform: "tensorflow"
    model_version_policy {
      specific {
        versions: 1  # champion
      }
    }
    version_labels {
      key: "stable"
      value: 1
    }
  }

  config { name: "ranker" base_path: "/models/ranker" model_platform: "tensorflow" model_version_policy { latest { num_versions: 2 } } }
}
# trailing comment, no final newline`;

export const CONFIG_PBTXT = `# Fraud scorer on Triton.
name: "fraud"
platform: "onnxruntime_onnx"
max_batch_size: 64
version_policy: { specific: { versions: [1] } }  # mlctl keeps this line
dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }
input [
  {
    name: "features"
    data_type: TYPE_FP32
    dims: [ 32 ]
  }
]
output [
  {
    name: "score"
    data_type: TYPE_FP32
    dims: [ 1 ]
    label_filename: "labels.txt"
  }
]
parameters { key: "note" value: { string_value: "tab\\there \\"quoted\\" \\303\\251 \\u00e9" } }
`;
