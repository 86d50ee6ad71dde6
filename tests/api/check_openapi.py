"""Holds api/openapi.json and the route table (api/routes.def) to each other: every route is
documented and every documented operation is routed, with the same path parameters."""

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
