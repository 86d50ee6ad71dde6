"""Holds api/openapi.json and the route table (api/routes.def) to each other: every route is
documented and every documented operation is routed, with the same path parameters. Also what
generated clients need of the document: an operationId on every operation, each used once, and
`required` on every object schema of a response (the members always present), so that a
client's types are not all optional. Real answers are checked against it in
test_api_openapi.py."""

import json
import re
import sys


def main(doc_path, routes_path):
    with open(routes_path) as f:
        routes = set(re.findall(r'^API_ROUTE\((\w+),\s*"([^"]+)"', f.read(), re.M))
    with open(doc_path) as f:
        doc = json.load(f)
    failures = []
    if not str(doc.get("openapi", "")).startswith("3.1"):
        failures.append("not an OpenAPI 3.1 document")
    documented = set()
    op_ids = {}
    schemas = doc.get("components", {}).get("schemas", {})
    checked = set()

    def need_required(schema, where):
        if not isinstance(schema, dict):
            return
        ref = schema.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in checked:
                checked.add(name)
                need_required(schemas.get(name), "components.schemas." + name)
            return
        for k in ("allOf", "oneOf", "anyOf"):
            for i, sub in enumerate(schema.get(k, [])):
                need_required(sub, "%s.%s[%d]" % (where, k, i))
        if isinstance(schema.get("items"), dict):
            need_required(schema["items"], where + ".items")
        if isinstance(schema.get("additionalProperties"), dict):
            need_required(schema["additionalProperties"], where + ".additionalProperties")
        props = schema.get("properties")
        if props is not None:
            if "required" not in schema:
                failures.append("%s: an object schema of a response without required" % where)
            for r in schema.get("required", []):
                if r not in props:
                    failures.append("%s: required %s is not among its properties" % (where, r))
            for k, v in props.items():
                need_required(v, where + "." + k)
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                continue
            documented.add((method.upper(), path))
            named = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            wanted = set(re.findall(r"\{(\w+)\}", path))
            if named != wanted:
                failures.append("%s %s: path parameters %s, expected %s"
                                % (method.upper(), path, sorted(named), sorted(wanted)))
            if not op.get("responses"):
                failures.append("%s %s: no responses" % (method.upper(), path))
            oid = op.get("operationId")
            if not oid:
                failures.append("%s %s: no operationId" % (method.upper(), path))
            elif oid in op_ids:
                failures.append("%s %s: operationId %s is also %s"
                                % (method.upper(), path, oid, op_ids[oid]))
            else:
                op_ids[oid] = "%s %s" % (method.upper(), path)
            for status, resp in op.get("responses", {}).items():
                for ctype, content in resp.get("content", {}).items():
                    need_required(content.get("schema"), "%s %s %s %s" % (
                        method.upper(), path, status, ctype))
    for m, p in sorted(routes - documented):
        failures.append("routed but not documented: %s %s" % (m, p))
    for m, p in sorted(documented - routes):
        failures.append("documented but not routed: %s %s" % (m, p))
    for f in failures:
        print(f)
    print("%d routes, %d documented operations, %d problems" % (len(routes), len(documented),
                                                               len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
