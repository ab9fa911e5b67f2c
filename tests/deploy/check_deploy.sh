#!/usr/bin/env bash
# Validates the deployment files with the tools that run here: promtool (Prometheus config,
# recording and alert rules and their unit tests), jq (the Grafana dashboards) and
# docker-compose (the compose file). No Docker engine is needed. Exit 77 = skipped (a tool is
# missing; under CI=true that is a failure instead).
set -euo pipefail
root="$1"
for tool in promtool docker-compose jq; do
  if ! command -v "$tool" >/dev/null; then
    # CI must run every check: a missing tool there is a failure, not a skip.
    if [ "${CI:-}" = true ]; then
      echo "FAIL: $tool is not installed (CI=true; scripts/install-deps.sh test installs it)"
      exit 1
    fi
    echo "SKIP: $tool is not installed (make deps-test installs it)"
    exit 77
  fi
done
# Prometheus: the config (which loads both rule files), the rules, and every rule unit test.
promtool check config "$root/deploy/prometheus/prometheus.yml"
promtool check rules "$root/deploy/prometheus/recording_rules.yml" "$root/deploy/prometheus/alerts.yml"
for rule_test in "$root"/deploy/prometheus/*_test.yml; do
  promtool test rules "$rule_test"
done
# Grafana: every dashboard is JSON with a uid and a schemaVersion, has queries, and every panel
# and query names the provisioned Prometheus data source by its uid (the built-in "grafana"
# annotation source aside), so the dashboards work as provisioned, without an import step.
datasources="$root/deploy/grafana/provisioning/datasources/prometheus.yml"
uid=$(sed -n 's/^ *uid: *\([A-Za-z0-9_-]*\).*/\1/p' "$datasources" | head -1)
[ -n "$uid" ] || { echo "$datasources: no data source uid"; exit 1; }
grep -q 'url: *http://prometheus:9090' "$datasources" || { echo "$datasources: not http://prometheus:9090"; exit 1; }
dashboard_uids=()
for dashboard in "$root"/deploy/grafana/dashboards/*.json; do
  if ! jq -e --arg uid "$uid" '
      (.uid | type == "string") and (.schemaVersion | type == "number")
      and ([.. | objects | select(has("targets")) | .targets[] | .expr | strings | select(length > 0)] | length > 0)
      and all(.. | objects | select(has("targets")); has("datasource"))
      and all(.. | objects | select(has("datasource")) | .datasource;
              type == "object" and (.type == "grafana" or (.type == "prometheus" and .uid == $uid)))
    ' "$dashboard" >/dev/null; then
    echo "$dashboard: not a dashboard whose panels all query data source uid '$uid':"
    jq -c '[.. | objects | select(has("datasource")) | .datasource] | unique' "$dashboard" || true
    exit 1
  fi
  dashboard_uids+=("$(jq -r .uid "$dashboard")")
done
[ ${#dashboard_uids[@]} -gt 0 ] || { echo "no dashboards in deploy/grafana/dashboards"; exit 1; }
duplicates=$(printf '%s\n' "${dashboard_uids[@]}" | sort | uniq -d)
[ -z "$duplicates" ] || { echo "dashboard uid used twice: $duplicates"; exit 1; }
cd "$root"
# --- Compose: docker-compose.yml alone and with each override, through Debian's docker-compose
# v1, with the defaults of .env.example and nothing from this shell or a developer's .env.
compose() {
  env -i PATH="$PATH" HOME="${HOME:-/root}" "$@"
}
config() {  # config [VAR=value...] -- FILE... : the resolved configuration
  local vars=()
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  local files=()
  for f in "$@"; do files+=(-f "$f"); done
  compose "${vars[@]+"${vars[@]}"}" docker-compose --env-file .env.example "${files[@]}" config
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
config -- docker-compose.yml >"$work/base.yml"
config -- docker-compose.yml docker-compose.tls.yml >"$work/tls.yml"
config -- docker-compose.yml docker-compose.hostnet.yml >"$work/hostnet.yml"
config -- docker-compose.yml docker-compose.llm.yml >"$work/llm.yml"
config -- docker-compose.yml docker-compose.model.yml >"$work/model.yml"
config CHURN_DATA_DIR=/srv/export CHURN_SECRETS_DIR=/srv/secrets -- docker-compose.yml >"$work/data.yml"
config CHURN_PUBLISH_ADDRESS=0.0.0.0 -- docker-compose.yml >"$work/public.yml"
# The compose files' content, read with the YAML library docker-compose itself uses.
python3 - "$work" <<'PY'
import re, sys, yaml
from pathlib import Path

work = Path(sys.argv[1])
load = lambda name: yaml.safe_load((work / f"{name}.yml").read_text())["services"]
errors = []
def check(ok, message):
    if not ok:
        errors.append(message)

SERVICES = ["ingest", "scoring", "enrichment", "gateway"]
GRPC = {"ingest": 50051, "scoring": 50052, "enrichment": 50053, "gateway": 50054}

def published(services):
    out = set()
    for name, service in services.items():
        for port in service.get("ports", []):
            if isinstance(port, dict):  # long syntax; no host_ip means every interface
                out.add((name, port.get("host_ip", ""), str(port.get("target"))))
                continue
            parts = str(port).split("/")[0].split(":")
            out.add((name, parts[0] if len(parts) == 3 else "", parts[-1]))
    return out

base = load("base")
# Published: the gateway's HTTP port and Grafana only, on the publish address variable.
check(published(base) == {("gateway", "127.0.0.1", "8080"), ("grafana", "127.0.0.1", "3000")},
      f"published ports by default: {sorted(published(base))}")
check(published(load("public")) == {("gateway", "0.0.0.0", "8080"), ("grafana", "0.0.0.0", "3000")},
      "CHURN_PUBLISH_ADDRESS does not set the published address")
for name in ("tls", "llm", "model"):
    check(published(load(name)) == published(base), f"docker-compose.{name}.yml publishes ports")
# The model override gives ingest and scoring the same file, read-only.
model = load("model")
for name in ("ingest", "scoring"):
    env = model[name].get("environment") or {}
    check(env.get(f"CHURN_{name.upper()}_MODEL_FILE") == "/var/lib/churn/model/model.json",
          f"docker-compose.model.yml: {name} does not read the mounted model")
    mounts = [v if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}:{'ro' if v.get('read_only') else 'rw'}"
              for v in model[name].get("volumes") or []]
    check(any(m.endswith("/var/lib/churn/model/model.json:ro") for m in mounts),
          f"docker-compose.model.yml: {name} does not mount the model read-only: {mounts}")

# The init step runs first; the services are non-root-image, read-only, restarting, health-checked
# over gRPC, listening on 0.0.0.0 with the tokens file.
init = base["init"]
check(init.get("command") == ["churn-init"], "init does not run churn-init")
check(init.get("healthcheck", {}).get("disable") is True or init.get("healthcheck", {}).get("test") == ["NONE"],
      "init keeps the image's health check")
for name in SERVICES:
    service = base[name]
    env = service.get("environment", {})
    prefix = f"CHURN_{name.upper()}_"
    check(service.get("depends_on", {}).get("init", {}).get("condition") == "service_completed_successfully",
          f"{name} does not wait for init to complete")
    check(service.get("restart") in ("unless-stopped", "always"), f"{name}: no restart policy")
    check(service.get("read_only") is True, f"{name}: root filesystem not read-only")
    check(service.get("healthcheck", {}).get("test") == ["CMD", "churn-healthcheck"],
          f"{name}: health check is not the gRPC probe")
    check(env.get(prefix + "GRPC_ADDRESS") == f"0.0.0.0:{GRPC[name]}", f"{name}: gRPC address")
    check(env.get(prefix + "AUTH_TOKENS_FILE") == "/var/lib/churn/secrets/tokens.yaml",
          f"{name}: no auth_tokens_file")
    check(int(env.get("CHURN_WATCHDOG_SECONDS", "0")) > 0, f"{name}: watchdog off")
    check("CHURN_LOG_LEVEL" not in env, f"{name}: CHURN_LOG_LEVEL is read by nothing")
    check(all(v.endswith(":ro") for v in service["volumes"] if "/secrets:" in v),
          f"{name}: secrets not read-only")
gateway = base["gateway"]
check(gateway["environment"].get("CHURN_GATEWAY_CLIENT_TOKEN_FILE") == "/var/lib/churn/secrets/gateway.token",
      "gateway: no client_token_file")
check({k: v.get("condition") for k, v in gateway["depends_on"].items()}
      == {"init": "service_completed_successfully", "ingest": "service_healthy",
          "scoring": "service_healthy", "enrichment": "service_healthy"},
      f"gateway depends_on: {gateway['depends_on']}")
ingest_env = base["ingest"]["environment"]
check(ingest_env.get("CHURN_INGEST_TICKETS_DIR", "").startswith(ingest_env.get("CHURN_INGEST_DATA_DIR", "?") + "/"),
      "ingest: tickets_dir is not inside the data folder")
check(ingest_env.get("CHURN_INGEST_DATA_ROOT") == ingest_env.get("CHURN_INGEST_DATA_DIR"),
      "ingest: data_root is not the data folder")
# Grafana: provisioning mounted, and the dashboards where its dashboard provider looks.
grafana_mounts = {v.split(":")[0]: v.split(":")[1] for v in base["grafana"]["volumes"]}
check(grafana_mounts.get(str(Path("deploy/grafana/provisioning").resolve())) == "/etc/grafana/provisioning",
      "grafana: deploy/grafana/provisioning not mounted at /etc/grafana/provisioning")
for provider_file in Path("deploy/grafana/provisioning/dashboards").glob("*.y*ml"):
    for provider in yaml.safe_load(provider_file.read_text()).get("providers", []):
        check(grafana_mounts.get(str(Path("deploy/grafana/dashboards").resolve())) == provider["options"]["path"],
              f"grafana: deploy/grafana/dashboards is not mounted at {provider['options']['path']} ({provider_file})")

# Data: a named volume by default, the operator's folder (read-only for ingest) with CHURN_DATA_DIR.
check("churn-data:/var/lib/churn/data:ro" in base["ingest"]["volumes"], "ingest: demo data volume")
data = load("data")
check("/srv/export:/var/lib/churn/data:ro" in data["ingest"]["volumes"], "CHURN_DATA_DIR: ingest mount")
check(any(v.startswith("/srv/export:/var/lib/churn/data") for v in data["init"]["volumes"]),
      "CHURN_DATA_DIR: init mount")
check("/srv/secrets:/var/lib/churn/secrets:ro" in data["gateway"]["volumes"], "CHURN_SECRETS_DIR")

# TLS: certificate, key and CA for all four (the health probe reads the same variables).
tls = load("tls")
for name in SERVICES:
    env = tls[name]["environment"]
    for key in ("TLS_CERT_FILE", "TLS_KEY_FILE", "TLS_CA_FILE"):
        check(env.get(f"CHURN_{name.upper()}_{key}", "").startswith("/etc/churn/tls/"),
              f"tls: {name} has no {key}")
check("CHURN_INIT_TLS_DIR" in tls["init"]["environment"], "tls: init makes no certificates")

# Host networking: every service on the host network, names resolved to loopback, loopback only.
hostnet = load("hostnet")
for name in SERVICES + ["prometheus", "grafana"]:
    service = hostnet[name]
    check(service.get("network_mode") == "host", f"hostnet: {name} not on the host network")
    hosts = service.get("extra_hosts", {})
    hosts = hosts if isinstance(hosts, dict) else dict(h.split(":", 1) for h in hosts)
    check(all(hosts.get(n) == "127.0.0.1" for n in SERVICES), f"hostnet: {name} extra_hosts")
for name in SERVICES:
    check(hostnet[name]["environment"][f"CHURN_{name.upper()}_GRPC_ADDRESS"].startswith("127.0.0.1:"),
          f"hostnet: {name} not on loopback")

# Ollama: enrichment waits for the model pull.
llm = load("llm")
check(llm["enrichment"]["depends_on"].get("ollama-pull", {}).get("condition") == "service_completed_successfully",
      "llm: enrichment does not wait for ollama-pull")
check(llm["enrichment"]["environment"].get("CHURN_ENRICHMENT_USE_MODEL") == "true", "llm: model not used")

# Every variable the compose files read has its default in .env.example.
listed = {}
for line in Path(".env.example").read_text().splitlines():
    if re.match(r"^[A-Z_]+=", line):
        key, value = line.split("=", 1)
        listed[key] = value
for path in sorted(Path(".").glob("docker-compose*.yml")):
    for var, default in re.findall(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}", path.read_text()):
        check(var in listed, f"{path}: ${{{var}}} is not in .env.example")
        if var in listed and listed[var]:
            check(listed[var] == default, f"{path}: ${{{var}}} defaults to '{default}', .env.example says '{listed[var]}'")
    check("CHURN_LOG_LEVEL:" not in path.read_text(), f"{path}: CHURN_LOG_LEVEL is read by nothing")

for error in errors:
    print("compose:", error)
sys.exit(1 if errors else 0)
PY
# With the build folder (second argument): every CHURN_<SERVICE>_* variable the compose files set
# is a key the service knows (an unknown one stops the service at start).
if [ -n "${2:-}" ]; then
  for service in ingest scoring enrichment gateway; do
    prefix="CHURN_$(tr '[:lower:]' '[:upper:]' <<<"$service")_"
    known=$("$2/services/$service/churn-$service" --help | grep -o "env ${prefix}[A-Z0-9_]*" | cut -c5-)
    for variable in $(grep -ho "${prefix}[A-Z0-9_]*:" docker-compose*.yml | tr -d : | sort -u); do
      grep -qx "$variable" <<<"$known" || { echo "compose sets $variable, which churn-$service does not know"; exit 1; }
    done
  done
fi
# Every command the compose files run is a binary the build produces or a script the image has.
for command in $(grep -ho '"churn-[a-z]*"' docker-compose*.yml | tr -d '"' | sort -u); do
  [ -d "services/${command#churn-}" ] || grep -q "^COPY .* /usr/local/bin/$command\$" deploy/Dockerfile \
    || { echo "compose runs $command, which the image does not have"; exit 1; }
done

# --- Image: non-root user, health check, init process, a build context without build trees.
final_stage=$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' deploy/Dockerfile)
grep -Eq '^USER +(999|churn)' <<<"$final_stage" || { echo "Dockerfile: the runtime stage has no non-root USER"; exit 1; }
grep -q '^HEALTHCHECK .*churn-healthcheck' <<<"$final_stage" || { echo "Dockerfile: no gRPC HEALTHCHECK"; exit 1; }
grep -q '^ENTRYPOINT .*tini' <<<"$final_stage" || { echo "Dockerfile: no init process (tini)"; exit 1; }
for pattern in .git 'build*/' var/ '**/node_modules'; do
  grep -qxF "$pattern" .dockerignore || { echo ".dockerignore does not exclude $pattern"; exit 1; }
done
for script in deploy/*.sh deploy/tls/make-certs.sh scripts/verify-deploy.sh; do
  bash -n "$script" || { echo "$script: syntax error"; exit 1; }
done

# --- TLS: the script's certificates verify against its CA, with the names and usages the
# services need (server and client), and the CA key kept apart.
if command -v openssl >/dev/null; then
  deploy/tls/make-certs.sh --ca-dir "$work/ca" "$work/tls" >/dev/null
  [ ! -e "$work/tls/ca.key" ] || { echo "make-certs.sh: CA key written next to the certificates"; exit 1; }
  for name in ingest scoring enrichment gateway; do
    openssl verify -CAfile "$work/tls/ca.crt" "$work/tls/$name.crt" >/dev/null
    text=$(openssl x509 -in "$work/tls/$name.crt" -noout -text)
    for want in "DNS:$name" DNS:localhost "IP Address:127.0.0.1" "TLS Web Server Authentication" \
                "TLS Web Client Authentication"; do
      grep -q "$want" <<<"$text" || { echo "make-certs.sh: $name.crt lacks $want"; exit 1; }
    done
    [ "$(stat -c %a "$work/tls/$name.key")" = 600 ] || { echo "make-certs.sh: $name.key is not 0600"; exit 1; }
  done
elif [ "${CI:-}" = true ]; then
  echo "FAIL: openssl is not installed (CI=true; scripts/install-deps.sh test installs it)"
  exit 1
else
  echo "SKIP (this part only): openssl is not installed, deploy/tls/make-certs.sh not run"
fi
echo "deploy files valid"
