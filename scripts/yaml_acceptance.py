"""Compares what salint reads of every Kubernetes object with what PyYAML reads.

For every .yaml/.yml/.json file under the paths, PyYAML (`yaml.compose_all` with
`CSafeLoader`: libyaml, the C parser go-yaml was ported from) reads the documents it can;
each document that is an object (a mapping with `apiVersion` and `kind`; each item of a
`*List`) must be an object salint read at the same line and column, and every value salint
keeps of it must equal PyYAML's at that path. salint keeps only what its rules read
(apiVersion, kind, metadata and spec.template of every kind; whole trees of workloads,
ServiceAccounts, RBAC objects and Secrets, but for Secret values and all of a container
but its volume mounts at the token path), so those paths are compared, and must be there
in both.

Scalars are typed as kubectl types them (sigs.k8s.io/yaml on go-yaml v2, YAML 1.1): PyYAML's
resolution, except where go-yaml v2's differs: `y`/`n` are booleans; timestamps and
sexagesimal numbers (`1:20`) are strings; `0o` octal, `_` separators and exponents without a
dot are numbers; `=` is a string.

usage: python yaml_acceptance.py READ_VALUES PATHS...
"""
import json
import math
import os
import re
import subprocess
import sys

import yaml

read_values, roots = sys.argv[1], sys.argv[2:]

# Paths salint reads (and so keeps): compared both ways. `*` is any key or list item.
READ = [
    ("apiVersion",), ("kind",), ("metadata",),
    ("spec", "template"), ("spec", "jobTemplate"), ("template",),
    ("automountServiceAccountToken",), ("secrets",), ("imagePullSecrets",),
    ("rules",), ("aggregationRule",), ("roleRef",), ("subjects",), ("type",),
]


def files():
    for root in roots:
        if os.path.isfile(root):
            yield os.path.abspath(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".yaml", ".yml", ".json")) and not name.startswith("."):
                    yield os.path.abspath(os.path.join(dirpath, name))


CONTAINER_MOUNTS = re.compile(r"\.(containers|initContainers|ephemeralContainers)\[\d+\]\.volumeMounts$")
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
GO_BOOL = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
           "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"}
GO_INT = re.compile(r"^[-+]?(0b[01_]+|0o?[0-7_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*|0)$")
GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")
STR = "tag:yaml.org,2002:str"


def number_of(text):
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    body = t.lstrip("+-")
    try:
        if GO_INT.match(text):
            if body.startswith("0b"):
                return sign * int(body[2:], 2)
            if body.startswith("0x"):
                return sign * int(body[2:], 16)
            if body.startswith("0o"):
                return sign * int(body[2:], 8)
            if len(body) > 1 and body.startswith("0"):
                return sign * int(body, 8)
            return sign * int(body)
        return float(t.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                     .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
    except ValueError:
        return None


def scalar(node, loader):
    """A PyYAML scalar node as kubectl types it: (type, value)."""
    plain = node.style in (None, "")
    if not plain or (node.tag == STR and not plain_tagged(node, loader)):
        return ("string", node.value)
    text = node.value
    if node.tag == "tag:yaml.org,2002:null":
        return ("null", None)
    if text in GO_BOOL:
        return ("bool", text.lower() in ("y", "yes", "true", "on"))
    if node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"):
        return ("string", text)
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and ":" in text:
        return ("string", text)  # sexagesimal
    if GO_INT.match(text) or GO_FLOAT.match(text):
        value = number_of(text)
        if value is not None:
            return ("number", value)
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return ("number", loader.construct_object(node))
    return ("string", text)


def plain_tagged(node, loader):
    """Whether a plain scalar tagged str was resolved so (no explicit `!!str`)."""
    return loader.resolve(yaml.ScalarNode, node.value, (True, False)) == node.tag


def typed(node, loader):
    if isinstance(node, yaml.ScalarNode):
        return scalar(node, loader)
    if isinstance(node, yaml.SequenceNode):
        return ("list", [typed(n, loader) for n in node.value])
    mapping = {}
    flatten(node, loader)
    for key, value in node.value:
        k = key.value if isinstance(key, yaml.ScalarNode) else None
        mapping[k] = typed(value, loader)
    return ("map", mapping)


def flatten(node, loader):
    """Applies merge keys as PyYAML's constructor does (the node is changed in place)."""
    if isinstance(node, yaml.MappingNode) and not getattr(node, "_flat", False):
        loader.flatten_mapping(node)
        node._flat = True


def salint_value(v):
    if v is None:
        return ("null", None)
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, dict) and set(v) == {"$number"}:
        return ("number", number_of(v["$number"]))
    if isinstance(v, str):
        return ("string", v)
    if isinstance(v, list):
        return ("list", [salint_value(x) for x in v])
    return ("map", {k: salint_value(x) for k, x in v.items()})


def same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == "number":
        x, y = a[1], b[1]
        if isinstance(x, float) or isinstance(y, float):
            return x == y or (x != x and y != y) or (x is not None and y is not None and math.isclose(x, y))
        return x == y
    if a[0] == "list":
        return len(a[1]) == len(b[1]) and all(same(x, y) for x, y in zip(a[1], b[1]))
    if a[0] == "map":
        return all(k in b[1] and same(v, b[1][k]) for k, v in a[1].items())
    return a[1] == b[1]


BUILTIN_WORKLOADS = {"Pod", "CronJob", "PodTemplate", "Deployment", "ReplicaSet", "StatefulSet",
                     "DaemonSet", "Job", "ReplicationController"}


def differences(ours, theirs, path="", top=True, workload=None):
    """What salint holds that PyYAML does not (or holds otherwise), and at the top level,
    the paths salint reads that PyYAML has and salint lacks."""
    found = []
    if top and theirs[0] == "map":
        workload = theirs[1].get("kind", (None, None))[1] in BUILTIN_WORKLOADS
    if ours[0] != theirs[0] or ours[0] not in ("map", "list"):
        if not same(ours, theirs):
            found.append("%s: salint %r, PyYAML %r" % (path or "/", ours, theirs))
        return found
    if ours[0] == "list":
        if workload and CONTAINER_MOUNTS.search(path) and theirs[0] == "list":
            # salint keeps a container's mounts at the token path only.
            theirs = ("list", [m for m in theirs[1] if m[0] == "map"
                               and m[1].get("mountPath") == ("string", TOKEN_PATH)])
        if len(ours[1]) != len(theirs[1]):
            return ["%s: salint %d items, PyYAML %d" % (path, len(ours[1]), len(theirs[1]))]
        for i, (a, b) in enumerate(zip(ours[1], theirs[1])):
            found += differences(a, b, "%s[%d]" % (path, i), False, workload)
        return found
    for key, value in ours[1].items():
        if key not in theirs[1]:
            found.append("%s.%s: salint has it, PyYAML not" % (path, key))
        else:
            found += differences(value, theirs[1][key], "%s.%s" % (path, key), False, workload)
    if top:
        for read in READ:
            node = theirs
            for key in read:
                node = node[1].get(key) if node and node[0] == "map" else None
            if node is None:
                continue
            mine = ours
            for key in read:
                mine = mine[1].get(key) if mine and mine[0] == "map" else None
            if mine is None:
                found.append("%s: PyYAML has it, salint not" % ".".join(read))
    return found


def pyyaml_objects(path):
    """(line, column, typed tree) of every object PyYAML reads, and whether it stopped."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig") if not data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-16")
    except UnicodeDecodeError:
        return out, 0, "not UTF-8"
    loader = yaml.CSafeLoader(text)
    documents = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            documents += 1
            if node is not None:
                collect(node, loader, out)
    except yaml.YAMLError as e:
        return out, documents, str(e).splitlines()[0]
    except RecursionError:
        # A recursive alias: no JSON value, and kubectl refuses it too.
        return out, documents, "recursive alias"
    finally:
        loader.dispose()
    return out, documents, None


def collect(node, loader, out):
    if not isinstance(node, yaml.MappingNode):
        return
    flatten(node, loader)
    keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    kind, api = keys.get("kind"), keys.get("apiVersion")
    kind_text = kind.value if isinstance(kind, yaml.ScalarNode) else None
    if kind_text and kind_text.endswith("List") and isinstance(keys.get("items"), yaml.SequenceNode):
        for item in keys["items"].value:
            collect(item, loader, out)
        return
    is_scalar = lambda n: isinstance(n, yaml.ScalarNode) and scalar(n, loader)[0] != "null"
    if is_scalar(kind) and is_scalar(api):
        out.append((node.start_mark.line + 1, node.start_mark.column + 1, typed(node, loader)))


def main():
    paths = list(files())
    p = subprocess.run([read_values], input="\n".join(paths) + "\n", capture_output=True,
                       text=True, check=True)
    ours = {}
    errors = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        if "error" in o:
            errors[os.path.abspath(o["error"])] = o["message"]
            continue
        ours[(os.path.abspath(o["file"]), o["line"], o["column"])] = o["value"]
    compared = documents = unread = 0
    problems = []
    for path in paths:
        objects, docs, stopped = pyyaml_objects(path)
        documents += docs
        if stopped:
            unread += 1
        for line, column, theirs in objects:
            compared += 1
            mine = ours.get((path, line, column))
            if mine is None:
                why = errors.get(path, "no object there")
                problems.append("%s:%d:%d: PyYAML reads an object, salint does not (%s)" % (path, line, column, why))
                continue
            for d in differences(salint_value(mine), theirs):
                problems.append("%s:%d:%d: %s" % (path, line, column, d))
    for problem in problems:
        print(problem)
    print("%d files, %d documents PyYAML reads (%d files it stops in), %d objects compared, %d differences"
          % (len(paths), documents, unread, compared, len(problems)))
    sys.exit(1 if problems else 0)


main()
