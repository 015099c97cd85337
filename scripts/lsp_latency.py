#!/usr/bin/env python3
"""Measures `salint lsp` latency as an editor sees it: a workspace of N generated files, one
open document of about 1,000 lines, and the time from a didChange to the publishDiagnostics
it causes (each change toggles a finding, so every change publishes). Prints the median and
the worst of the runs, and the time of the first (background) load.

With FOLDERS above 1 the files are spread over that many sibling folders that each define
the same ServiceAccount, so each folder is a cluster of its own (as environment folders
are): the open document is in the first one.

usage: scripts/lsp_latency.py [SALINT_BINARY] [FILES] [FOLDERS]   (default: target/release/salint 1000 1)
"""
import json, os, statistics, subprocess, sys, tempfile, time

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/salint")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
folders = int(sys.argv[3]) if len(sys.argv) > 3 else 1

def manifest(i):
    ns = f"team-{i % 50}"
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
  namespace: {ns}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: {ns}
  labels: {{app: app-{i}}}
spec:
  replicas: 2
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      serviceAccountName: app-{i}
      containers:
        - name: app
          image: registry.example/app:{i}
          ports: [{{containerPort: 8080}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-{i}
  namespace: {ns}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}
subjects:
  - {{kind: ServiceAccount, name: app-{i}, namespace: {ns}}}
"""

root = tempfile.mkdtemp(prefix="salint-lsp-")
def folder(j):
    return f"{root}/k8s" if folders == 1 else f"{root}/k8s/env-{j}"
for j in range(folders):
    os.makedirs(folder(j), exist_ok=True)
    if folders > 1:
        with open(f"{folder(j)}/shared.yaml", "w") as f:
            f.write("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: shared\n  namespace: shared\n")
for i in range(count):
    with open(f"{folder(i % folders)}/app-{i}.yaml", "w") as f:
        f.write(manifest(i))
# The open document: ~1,000 lines of Deployments.
open_path = f"{folder(0)}/big.yaml"
def big(bound):
    """30 manifests; the first one's binding names its SA or not, which toggles a finding."""
    parts = [manifest(100000 + i) for i in range(30)]
    if not bound:
        parts[0] = parts[0].replace("subjects:\n  - {kind: ServiceAccount, name: app-100000", "subjects:\n  - {kind: ServiceAccount, name: nobody")
    return "---\n".join(parts)
text = big(True)
with open(open_path, "w") as f:
    f.write(text)
print(f"workspace: {count} files in {folders} folder(s) + 1 open document of {text.count(chr(10))} lines")

proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root)
def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()
def read():
    length = 0
    while True:
        line = proc.stdout.readline().decode().strip()
        if not line:
            break
        if line.startswith("Content-Length:"):
            length = int(line.split(":")[1])
    return json.loads(proc.stdout.read(length))
def wait(pred):
    while True:
        m = read()
        if pred(m):
            return m

uri = "file://" + open_path
start = time.perf_counter()
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": "file://" + root, "capabilities": {}}})
wait(lambda m: m.get("id") == 1)
init = time.perf_counter() - start
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
first = time.perf_counter() - start
times = []
for version in range(2, 32):
    text = big(version % 2 == 1)
    t0 = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
    wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    times.append((time.perf_counter() - t0) * 1000)
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
wait(lambda m: m.get("id") == 2)
send({"jsonrpc": "2.0", "method": "exit", "params": None})
proc.wait()
print(f"initialize answered in {init*1000:.1f} ms; first diagnostics (background load) after {first*1000:.0f} ms")
print(f"didChange -> publishDiagnostics over {len(times)} edits: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")
