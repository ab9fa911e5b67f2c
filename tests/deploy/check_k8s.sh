#!/usr/bin/env bash
# Renders the Kubernetes manifests with kubectl's built-in kustomize and checks them
# (check_k8s.py): `kubectl kustomize deploy/k8s` (the base, as committed), and the example and
# example-tls overlays in a scratch copy with stand-in Secret files (the real ones are made per
# installation and never committed). No cluster is needed.
# Exit 77 = skipped (kubectl or python3-yaml missing); with CI=true a missing tool fails instead.
set -euo pipefail
root="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"

missing() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL: $1 is not installed (scripts/install-deps.sh test installs it)"
    exit 1
  fi
  echo "SKIP: $1 is not installed (make deps-test installs it)"
  exit 77
}
command -v kubectl >/dev/null || missing "kubectl (Debian package kubernetes-client)"
python3 -c 'import yaml' 2>/dev/null || missing "python3 with the yaml module (python3-yaml)"
kubectl version --client 2>/dev/null | head -n 1 || true

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# kustomize's deprecation warnings (newer kubectl) are shown only when rendering fails.
render() {
  if ! kubectl kustomize "$1" >"$2" 2>"$scratch/stderr"; then
    cat "$scratch/stderr"
    echo "FAIL: kubectl kustomize $1"
    exit 1
  fi
}

# The committed tree renders as it is, from a fresh clone.
render "$root/deploy/k8s" "$scratch/base.yaml"
python3 "$here/check_k8s.py" base "$scratch/base.yaml"

# The scoring rules ConfigMap is a copy of config/scoring.yaml (kustomize reads no file outside
# deploy/k8s): both must say the same.
if ! cmp -s "$root/config/scoring.yaml" "$root/deploy/k8s/base/scoring-rules.yaml"; then
  echo "FAIL: deploy/k8s/base/scoring-rules.yaml differs from config/scoring.yaml;" \
       "copy it: cp config/scoring.yaml deploy/k8s/base/scoring-rules.yaml"
  exit 1
fi

# The overlays, with stand-in files where an installation keeps its tokens and certificates
# (whatever a developer has there stays where it is and is not read).
mkdir -p "$scratch/k8s"
(cd "$root/deploy/k8s" && tar -cf - --exclude=./overlays/example/secrets \
   --exclude=./overlays/example-tls/tls .) | (cd "$scratch/k8s" && tar -xf -)
secrets="$scratch/k8s/overlays/example/secrets"
mkdir -p "$secrets" "$scratch/k8s/overlays/example-tls/tls"
printf 'tokens:\n  - {name: admin, role: admin, sha256: "%064d"}\n' 0 >"$secrets/tokens.yaml"
echo "stand-in-token" >"$secrets/gateway.token"
for file in ca.crt ingest.crt ingest.key scoring.crt scoring.key enrichment.crt enrichment.key \
            gateway.crt gateway.key; do
  echo "stand-in $file" >"$scratch/k8s/overlays/example-tls/tls/$file"
done
render "$scratch/k8s/overlays/example" "$scratch/example.yaml"
python3 "$here/check_k8s.py" example "$scratch/example.yaml"
render "$scratch/k8s/overlays/example-tls" "$scratch/tls.yaml"
python3 "$here/check_k8s.py" tls "$scratch/tls.yaml"
echo "kubernetes manifests valid"
