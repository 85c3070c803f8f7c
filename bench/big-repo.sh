#!/usr/bin/env bash
# Big repositories: `audit` and `mutate` over N StatefulSets with their headless Services and PodDisruptionBudgets,
# as one `kind: List` (what `kubectl get -o yaml` prints) and as one multi-document stream. Prints wall time and
# peak RSS per run (GNU time), so the cost can be checked to grow linearly with the input. Not part of CI.
#
#   bench/big-repo.sh              N = 1000 2000 4000 10000 20000
#   BENCH_SIZES="500 1000" bench/big-repo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/bench/results/big-repo"
mkdir -p "$work"
sizes="${BENCH_SIZES:-1000 2000 4000 10000 20000}"

. bench/lib.sh
bench_tools /usr/bin/time:time

echo "building (Release)" >&2
bench_publish "$work"
guard="$work/publish/statefulguard"


generate() {
  local n="$1" form="$2" out="$3"
  python3 - "$n" "$form" > "$out" <<'PY'
import sys
n, form = int(sys.argv[1]), sys.argv[2]
def objects(i):
    ns = f"ns-{i % 100}"
    return [
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: db-{i}, namespace: {ns}}}\nspec:\n  clusterIP: None\n  selector: {{app: db-{i}}}\n  ports: [{{name: pg, port: 5432}}]\n",
        f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: db-{i}, namespace: {ns}}}\nspec:\n  maxUnavailable: 1\n  selector: {{matchLabels: {{app: db-{i}}}}}\n",
        f"""apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db-{i}, namespace: {ns}, labels: {{app: db-{i}}}}}
spec:
  serviceName: db-{i}
  replicas: 3
  selector: {{matchLabels: {{app: db-{i}}}}}
  template:
    metadata: {{labels: {{app: db-{i}, app.kubernetes.io/part-of: shop}}}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm: {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: db-{i}}}}}}}
      containers:
        - name: postgres
          image: postgres:17.2
          ports: [{{name: pg, containerPort: 5432}}]
          resources: {{requests: {{cpu: 250m, memory: 512Mi}}, limits: {{memory: 512Mi}}}}
          volumeMounts: [{{name: data, mountPath: /var/lib/postgresql/data}}]
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 10Gi}}}}}}
""",
    ]
if form == "list":
    print("apiVersion: v1\nkind: List\nitems:")
    for i in range(n):
        for o in objects(i):
            lines = o.rstrip("\n").split("\n")
            print("- " + lines[0])
            for l in lines[1:]:
                print("  " + l)
else:
    print("\n---\n".join(o for i in range(n) for o in objects(i)))
PY
}

measure() {
  local label="$1"; shift
  local out="$work/time.txt"
  set +e
  /usr/bin/time -f "%e %M" -o "$out" "$guard" "$@" > /dev/null 2> "$work/stderr.txt"
  local exit=$?
  set -e
  read -r seconds kb < "$out"
  printf '| %s | %s | %s s | %s MB | %s |\n' "$label" "$1" "$seconds" "$((kb / 1024))" "$exit"
}

echo "| input | command | wall time | peak RSS | exit |"
echo "|---|---|---|---|---|"
for n in $sizes; do
  for form in list stream; do
    file="$work/apps-$n-$form.yaml"
    [ -f "$file" ] || generate "$n" "$form" "$file"
    measure "$n StatefulSets + Services + PDBs, $form ($(( $(stat -c %s "$file") / 1024 / 1024 )) MB)" audit "$file"
    measure "$n StatefulSets + Services + PDBs, $form" mutate "$file"
  done
done
