"""Writes testdata/authorizer/: SETS random RBAC manifest sets (sets/NNN.yaml, or .json as a
`kind: List`), QUERIES random requests of each, and the real authorizer's answer to each
(answers.jsonl, one line per set).

The sets and requests come from difftest.py's generator (imported from ORACLE_DIR), so they
cover what `difftest` covers: wildcards, subresources, resourceNames, URLs, aggregation with
every selector form (the empty one too), built-in roles, group and user subjects, implicit
namespaces. The requests are built as the API server's RequestInfo builds them, as difftest
builds them, with one difference: `watch` on `namespaces` is asked as the request on the one
namespace object, `GET /api/v1/watch/namespaces/NS` (namespace NS, name NS), which a
RoleBinding in NS reaches; difftest asks it only as the cluster-wide watch of the collection.

usage: python authorizer_cases.py ORACLE_DIR SEED SETS QUERIES
"""
import json
import os
import random
import shutil
import subprocess
import sys

oracle_dir, seed, n_sets, n_queries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, oracle_dir)
import difftest as D  # noqa: E402

OUT = "testdata/authorizer"
ORACLE = os.path.join(oracle_dir, "oracle")


def request(q):
    o = D.oracle_query(q)
    if q["scope"] == "namespaces" and q["verb"] == "watch":
        o["namespace"] = o["name"] = q["ns"]
    # `bind` on a ClusterRole is asked in the namespace of the RoleBinding being written
    # (BindingAuthorized in pkg/registry/rbac/escalation_check.go): who-can --namespace NS
    # answers that request.
    if q.get("verb") == "bind" and q.get("resource") == "clusterroles":
        o["namespace"] = q["ns"]
    return o


def main():
    r = random.Random(seed)
    shutil.rmtree(os.path.join(OUT, "sets"), ignore_errors=True)
    os.makedirs(os.path.join(OUT, "sets"))
    lines = []
    for i in range(n_sets):
        docs = D.gen_set(r)
        implicit = None
        if r.random() < 0.15:
            implicit = "shop"
            docs = D.strip_ns(docs, r, "shop")
        as_list = r.random() < 0.15
        queries = [D.gen_query(r) for _ in range(n_queries)]
        name = "%03d.%s" % (i, "json" if as_list else "yaml")
        scratch = os.path.join(OUT, "sets", "scratch")
        D.write_set(docs, scratch, as_list=as_list)
        produced = os.path.join(scratch, "all.json" if as_list else "all.yaml")
        shutil.move(produced, os.path.join(OUT, "sets", name))
        shutil.rmtree(scratch)
        single = os.path.join(OUT, "sets", "one")
        os.makedirs(single)
        shutil.copy(os.path.join(OUT, "sets", name), single)
        env = dict(os.environ)
        if implicit:
            env["ORACLE_IMPLICIT_NS"] = implicit
        batch = "".join(json.dumps(dict(request(q), id=str(k))) + "\n" for k, q in enumerate(queries))
        p = subprocess.run([ORACLE, "batch", single], input=batch, capture_output=True,
                           text=True, env=env, check=True)
        shutil.rmtree(single)
        answers = [json.loads(line) for line in p.stdout.splitlines()]
        recorded = []
        for q, answer in zip(queries, answers):
            subjects = {}
            for s in answer["subjects"] or []:
                kind, ns, subject = D.norm_key(s["kind"], s["name"], s.get("namespace"))
                subjects["%s:%s:%s" % (kind, ns, subject)] = {
                    "unrestricted": s["unrestricted"], "names": sorted(s["names"] or [])}
            recorded.append({"verb": q["verb"], "resource": D.salint_resource(q),
                             "namespace": q["ns"], "request": request(q), "answer": subjects})
        lines.append(json.dumps({"set": "sets/" + name, "implicit_namespace": implicit,
                                 "queries": recorded}, sort_keys=True, separators=(",", ":")))
    with open(os.path.join(OUT, "answers.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: %d sets, %d requests (seed %d)" % (OUT, n_sets, n_sets * n_queries, seed))


main()
