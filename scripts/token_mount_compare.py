"""salint's "token mounted" per workload against the ServiceAccount admission plugin.

Each fixture of testdata/ is its own manifest set (every file of cases/, regressions/ and
broken/ alone; demo/, inspect/, precommit/ and cases/broken-among-good/ as folders). For each,
in a scratch copy: the plugin (`sa-admission-check`) and salint read objects without a
namespace as in `default`, and every ServiceAccount a pod names that the set does not define
is added without `automountServiceAccountToken`, which is what salint assumes of it (the
plugin would refuse the pod: serviceaccount not found). Objects salint reports as
`invalid-field-type` are left out: the API server rejects them before admission.

usage: python token_mount_compare.py SALINT SA_ADMISSION_CHECK
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

salint, check = sys.argv[1], sys.argv[2]
SETS = ["testdata/demo", "testdata/inspect", "testdata/precommit", "testdata/cases/broken-among-good"]
FILE_DIRS = ["testdata/cases", "testdata/regressions", "testdata/broken"]
WORKLOADS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
             "ReplicationController", "CronJob"}


def units():
    for d in SETS:
        yield d
    for d in FILE_DIRS:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path) and name.endswith((".yaml", ".yml", ".json")):
                yield path


def objects(path):
    """Every object of the YAML/JSON files under path, List items included (PyYAML; files
    it cannot read yield nothing)."""
    files = [path] if os.path.isfile(path) else [
        os.path.join(r, f) for r, _, fs in os.walk(path) for f in fs
        if f.endswith((".yaml", ".yml", ".json"))]
    for f in files:
        try:
            with open(f, encoding="utf-8-sig") as text:
                docs = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
        except Exception:
            continue
        stack = [d for d in docs if isinstance(d, dict)]
        while stack:
            d = stack.pop()
            if str(d.get("kind", "")).endswith("List") and isinstance(d.get("items"), list):
                stack.extend(i for i in d["items"] if isinstance(i, dict))
            else:
                yield d


def pod_spec(o):
    spec = o.get("spec") if isinstance(o.get("spec"), dict) else {}
    if o.get("kind") == "Pod":
        return spec
    if o.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    return ((spec.get("template") or {}).get("spec") or {})


def namespace(o):
    meta = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
    return meta.get("namespace") or "default"


def compare(unit, scratch):
    work = os.path.join(scratch, "set")
    shutil.rmtree(work, ignore_errors=True)
    if os.path.isdir(unit):
        shutil.copytree(unit, work)
    else:
        os.makedirs(work)
        shutil.copy(unit, work)
    objs = list(objects(work))
    defined = {(namespace(o), (o.get("metadata") or {}).get("name"))
               for o in objs if o.get("kind") == "ServiceAccount"}
    stubs = set()
    for o in objs:
        if o.get("kind") in WORKLOADS:
            spec = pod_spec(o)
            sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
            if isinstance(sa, str) and (namespace(o), sa) not in defined and sa != "default":
                stubs.add((namespace(o), sa))
    with open(os.path.join(work, "zz-stub-service-accounts.yaml"), "w") as f:
        for ns, name in sorted(stubs):
            f.write(json.dumps({"apiVersion": "v1", "kind": "ServiceAccount",
                                "metadata": {"name": name, "namespace": ns}}) + "\n---\n")
    env = dict(os.environ, ORACLE_IMPLICIT_NS="default")
    p = subprocess.run([check, work], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed"
    oracle = [json.loads(line) for line in p.stdout.splitlines()]
    args = ["--implicit-namespace", "default", "--format", "json", work]
    report = json.loads(subprocess.run([salint, "check", "--no-config", "--namespace", "default",
                                        "--format", "json", work],
                                       capture_output=True, text=True).stdout)
    rejected = {"%s %s/%s" % (f["object"]["kind"], f["object"]["namespace"] or "default",
                              f["object"]["name"])
                for f in report["findings"] if f["rule"] == "invalid-field-type"}
    mounted = {}
    # A mirror pod keeps an empty serviceAccountName (the plugin sets none): salint's `default`.
    named = {(o["namespace"], o["serviceAccount"] or "default") for o in oracle if "namespace" in o}
    for ns, sa in sorted(named):
        p = subprocess.run([salint, "explain-sa", f"{ns}/{sa}", "--no-config"] + args,
                           capture_output=True, text=True)
        if p.stdout.strip():
            for w in json.loads(p.stdout)["workloads"]:
                mounted.setdefault(w["object"], w["token_mounted"])
    rows = []
    for o in oracle:
        if o["object"] in rejected:
            rows.append((o["object"], o.get("token_mounted"), None, "rejected by the API server"))
            continue
        rows.append((o["object"], o.get("token_mounted"), mounted.get(o["object"]), o.get("error")))
    return rows, None


def main():
    compared = differences = 0
    with tempfile.TemporaryDirectory() as scratch:
        for unit in units():
            rows, error = compare(unit, scratch)
            if rows is None:
                print(f"{unit}: not compared, the plugin's YAML reader rejects it ({error})")
                continue
            for obj, oracle, ours, note in rows:
                if note == "rejected by the API server":
                    print(f"{unit}: {obj}: rejected by the API server (invalid-field-type), not compared")
                    continue
                compared += 1
                same = oracle == ours
                differences += not same
                if not same:
                    print(f"{unit}: {obj}: plugin mounts={oracle} salint={ours} {note or ''}  <-- DIFFERENCE")
    print(f"{compared} workloads compared, {differences} differences")
    sys.exit(1 if differences else 0)


main()
