"""Validates Strimzi custom resources (a multi-document YAML file) against Strimzi's own CRD schemas.

usage: strimzi_validate.py CRD_DIR RESOURCES.yaml...
Each document is checked against the openAPIV3Schema of its kind's CRD for its apiVersion's version, the way the
Kubernetes API server checks a create with strict field validation (`kubectl apply --validate=strict`): every
object schema that lists `properties` and does not set `x-kubernetes-preserve-unknown-fields` refuses other fields.
Prints one line per problem (FILE: kind/name: path: message) and exits 1 when there is any; an OK line per valid
resource otherwise. The CRDs are read once (libyaml's loader) for all the files.
"""
import sys
import yaml
import jsonschema

KINDS = {"Kafka": "kafka.yaml", "KafkaNodePool": "nodepool.yaml", "KafkaUser": "user.yaml"}
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CRDS = {}


def crd_of(crd_dir, kind):
    """The kind's CRD, read once (strict() is idempotent, so the schema is made strict in place once)."""
    if kind not in CRDS:
        with open(f"{crd_dir}/{KINDS[kind]}") as f:
            CRDS[kind] = yaml.load(f, Loader=Loader)
    return CRDS[kind]


def strict(schema):
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema \
                and not schema.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for v in schema.values():
            strict(v)
    elif isinstance(schema, list):
        for v in schema:
            strict(v)
    return schema


def main(crd_dir, paths):
    return 1 if sum(check(crd_dir, p) for p in paths) else 0


def check(crd_dir, path):
    problems = 0
    docs = [d for d in yaml.load_all(open(path), Loader=Loader) if d is not None]
    if not docs:
        print(f"{path}: no resources")
        return 1
    for doc in docs:
        kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
        if kind not in KINDS:
            print(f"{path}: {kind}/{name}: not a kind this judge knows ({', '.join(KINDS)})")
            problems += 1
            continue
        crd = crd_of(crd_dir, kind)
        group, _, version = doc.get("apiVersion", "").partition("/")
        if group != crd["spec"]["group"]:
            print(f"{path}: {kind}/{name}: apiVersion group {group!r} is not {crd['spec']['group']!r}")
            problems += 1
            continue
        served = [v for v in crd["spec"]["versions"] if v["name"] == version and v.get("served")]
        if not served:
            print(f"{path}: {kind}/{name}: {version!r} is not a served version of {crd['metadata']['name']}")
            problems += 1
            continue
        schema = strict(served[0]["schema"]["openAPIV3Schema"])
        # the API server owns metadata's schema; the CRD leaves it open
        body = {k: v for k, v in doc.items() if k != "metadata"}
        errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(body), key=lambda e: list(e.path))
        for e in errors:
            print(f"{path}: {kind}/{name}: {'.'.join(map(str, e.path)) or '(root)'}: {e.message}")
        problems += len(errors)
        if not errors:
            print(f"{path}: OK {kind}/{name} against {crd['metadata']['name']} {version}")
    return problems


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
