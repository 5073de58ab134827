"""Validates Strimzi custom resources (a multi-document YAML file) against Strimzi's own CRD schemas.

usage: strimzi_validate.py CRD_DIR RESOURCES.yaml
Each document is checked against the openAPIV3Schema of its kind's CRD for its apiVersion's version, the way the
Kubernetes API server checks a create with strict field validation (`kubectl apply --validate=strict`): every
object schema that lists `properties` and does not set `x-kubernetes-preserve-unknown-fields` refuses other fields.
Prints one line per problem (kind/name: path: message) and exits 1 when there is any; prints OK lines otherwise.
"""
import sys
import yaml
import jsonschema

KINDS = {"Kafka": "kafka.yaml", "KafkaNodePool": "nodepool.yaml"}


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


def main(crd_dir, path):
    problems = 0
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    if not docs:
        print(f"{path}: no resources")
        return 1
    for doc in docs:
        kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
        if kind not in KINDS:
            print(f"{kind}/{name}: not a kind this judge knows ({', '.join(KINDS)})")
            problems += 1
            continue
        crd = yaml.safe_load(open(f"{crd_dir}/{KINDS[kind]}"))
        group, _, version = doc.get("apiVersion", "").partition("/")
        if group != crd["spec"]["group"]:
            print(f"{kind}/{name}: apiVersion group {group!r} is not {crd['spec']['group']!r}")
            problems += 1
            continue
        served = [v for v in crd["spec"]["versions"] if v["name"] == version and v.get("served")]
        if not served:
            print(f"{kind}/{name}: {version!r} is not a served version of {crd['metadata']['name']}")
            problems += 1
            continue
        schema = strict(served[0]["schema"]["openAPIV3Schema"])
        # the API server owns metadata's schema; the CRD leaves it open
        body = {k: v for k, v in doc.items() if k != "metadata"}
        errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(body), key=lambda e: list(e.path))
        for e in errors:
            print(f"{kind}/{name}: {'.'.join(map(str, e.path)) or '(root)'}: {e.message}")
        problems += len(errors)
        if not errors:
            print(f"OK {kind}/{name} against {crd['metadata']['name']} {version}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
