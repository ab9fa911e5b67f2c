#!/usr/bin/env bash
# make verify-deploy: the container bring-up of a fresh clone, with a real Docker engine.
# Builds the image, brings the compose set up on its demo data, waits until the gateway is ready,
# checks the API (with the admin token from the init log, and without) and the dashboard, crashes
# one service from inside its container and waits for its restart and the gateway's recovery,
# tears everything down (volumes included) and prints image size, build time and time to ready.
#
# Engine: the one `docker info` reaches; otherwise the private engine of
# ../shared/tools/docker-sandbox.sh (started here and stopped at the end, with a local debian:12
# base image; builds use --network host, the services docker-compose.hostnet.yml). Images that
# cannot be pulled there (Prometheus, Grafana) are skipped with a message.
# Not part of `make test`: it builds the image (minutes on two cores).
#
# Environment: VERIFY_KILL_SERVICE (default ingest), CHURN_HTTP_PORT (default 8080),
# VERIFY_KEEP_ENGINE=1 leaves a sandbox engine this script started running, VERIFY_TIMEOUT
# (seconds to wait for readiness, default 300), VERIFY_TLS=1 brings the set up with
# docker-compose.tls.yml (HTTPS checked against the generated CA, and a gRPC client without a
# certificate refused), VERIFY_NO_CACHE=1 builds without the engine's layer cache (a cold build
# time).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
project=churnverify
image=churn-early-warning:verify
kill_service="${VERIFY_KILL_SERVICE:-ingest}"
http_port="${CHURN_HTTP_PORT:-8080}"
timeout_s="${VERIFY_TIMEOUT:-300}"
sandbox_script="$root/../shared/tools/docker-sandbox.sh"
export P="${P:-/tmp/dsandbox}"
project_services=(init ingest scoring enrichment gateway)
monitoring_services=(prometheus grafana)

say() { printf 'verify-deploy: %s\n' "$*"; }
fail() { printf 'verify-deploy: FAILED: %s\n' "$*" >&2; exit 1; }

if ! command -v docker-compose >/dev/null || ! command -v curl >/dev/null; then
  scripts/install-deps.sh deploy
fi

# --- engine ---------------------------------------------------------------------------------
started_engine=0
mode=engine
if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  mode=sandbox
  [ -x "$sandbox_script" ] || fail "no Docker engine is reachable and $sandbox_script is missing"
  export DOCKER_HOST="unix://$P/docker.sock" DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
  command -v docker >/dev/null || export PATH="$PATH:$P/root/usr/bin"
  if ! docker info >/dev/null 2>&1; then
    say "no Docker engine reachable: starting the sandbox engine ($sandbox_script start)"
    "$sandbox_script" start >/dev/null
    started_engine=1
    command -v docker >/dev/null || export PATH="$PATH:$P/root/usr/bin"
    docker info >/dev/null 2>&1 || fail "the sandbox engine did not start (see $P/logs/dockerd.log)"
  fi
  if ! docker image inspect debian:12 >/dev/null 2>&1 || ! docker image inspect debian:12-slim >/dev/null 2>&1; then
    say "making the local debian:12 base image ($sandbox_script base)"
    "$sandbox_script" base >/dev/null
  fi
fi
say "engine: $mode ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"

work=$(mktemp -d)
tls="${VERIFY_TLS:-0}"
base_files=(-f docker-compose.yml)
[ "$tls" != 1 ] || base_files+=(-f docker-compose.tls.yml)
compose_files=("${base_files[@]}")
compose() {
  docker-compose --env-file .env.example -p "$project" --project-directory "$root" \
    "${compose_files[@]}" "$@"
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ $status -ne 0 ]; then
    say "logs of the set (last lines per service):"
    compose logs --no-color --tail 25 2>&1 | sed 's/^/  /' || true
  fi
  say "tearing down (down -v)"
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$work"
  if [ $started_engine = 1 ] && [ "${VERIFY_KEEP_ENGINE:-0}" != 1 ]; then
    "$sandbox_script" stop >/dev/null 2>&1 || true
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- image ----------------------------------------------------------------------------------
say "building $image (deploy/Dockerfile)"
build_start=$SECONDS
cache=()
[ "${VERIFY_NO_CACHE:-0}" != 1 ] || cache=(--no-cache)
docker build --network host "${cache[@]+"${cache[@]}"}" -f deploy/Dockerfile -t "$image" . >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; fail "docker build"; }
build_seconds=$((SECONDS - build_start))
image_mb=$(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f", $1 / 1000000}')
say "built in ${build_seconds} s; image ${image_mb} MB"

# --- compose set ----------------------------------------------------------------------------
export CHURN_IMAGE="$image" CHURN_HTTP_PORT="$http_port"
if [ $mode = sandbox ]; then
  # Host networking (no bridge in this engine): one resolved file without `ports:` (compose v1
  # would merge the base file's published ports into the override), plus the service ports must
  # be free on this host.
  for port in 50051 50052 50053 50054 9101 9102 9103 9104 "$http_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      fail "port $port on 127.0.0.1 is in use (the sandbox runs the services on the host network)"
    fi
  done
  docker-compose --env-file .env.example "${base_files[@]}" -f docker-compose.hostnet.yml config \
    >"$work/merged.yml"
  python3 - "$work/merged.yml" "$work/compose.yml" <<'PY'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
for service in config["services"].values():
    service.pop("ports", None)
yaml.safe_dump(config, open(sys.argv[2], "w"), default_flow_style=False)
PY
  compose_files=(-f "$work/compose.yml")
fi

# A clean start: an earlier interrupted run may have left this project's containers or volumes.
compose down -v --remove-orphans >/dev/null 2>&1 || true

services=("${project_services[@]}")
skipped=()
for name in "${monitoring_services[@]}"; do
  ref=$(compose config | python3 -c "import sys, yaml; print(yaml.safe_load(sys.stdin)['services']['$name']['image'])")
  if docker image inspect "$ref" >/dev/null 2>&1 || timeout 120 docker pull -q "$ref" >/dev/null 2>&1; then
    services+=("$name")
  else
    skipped+=("$name ($ref cannot be pulled by this engine)")
  fi
done
for s in "${skipped[@]+"${skipped[@]}"}"; do say "skipped: $s"; done

say "docker-compose up -d ${services[*]}"
up_start=$SECONDS
compose up -d --no-build "${services[@]}" >"$work/up.log" 2>&1 \
  || { cat "$work/up.log" >&2; fail "docker-compose up"; }

base="http://127.0.0.1:$http_port"
curl_tls=()
if [ "$tls" = 1 ]; then
  # The CA init made: HTTPS is verified against it, nothing is accepted blindly.
  compose run --rm --no-deps -T init cat /etc/churn/tls/ca.crt >"$work/ca.crt" 2>/dev/null \
    || fail "cannot read ca.crt from the TLS volume"
  base="https://127.0.0.1:$http_port"
  curl_tls=(--cacert "$work/ca.crt")
fi
http_code() { curl -s "${curl_tls[@]+"${curl_tls[@]}"}" -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }
wait_ready() {  # wait_ready LIMIT_SECONDS -> 0 once /readyz answers 200
  local deadline=$((SECONDS + $1))
  until [ "$(http_code "$base/readyz")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}
wait_ready "$timeout_s" || fail "the gateway was not ready within ${timeout_s} s"
ready_seconds=$((SECONDS - up_start))
say "gateway ready ${ready_seconds} s after up (images built beforehand)"

# --- API and dashboard ----------------------------------------------------------------------
token=$(compose logs --no-color init | sed -n 's/.*admin token: *\([^ ]*\).*/\1/p' | tail -n 1 | tr -d '\r')
[ -n "$token" ] || fail "no 'admin token:' line in the init log"
auth=(-H "Authorization: Bearer $token")
expect() {  # expect CODE DESCRIPTION CURL_ARGS...
  local want="$1" what="$2" got
  shift 2
  got=$(http_code "$@")
  [ "$got" = "$want" ] || fail "$what: HTTP $got, expected $want"
  say "ok: $what -> $got"
}
expect 200 "GET /api/v1/executive with the admin token" "${auth[@]}" "$base/api/v1/executive"
expect 401 "GET /api/v1/executive without a token" "$base/api/v1/executive"
expect 401 "GET /api/v1/executive with a wrong token" -H "Authorization: Bearer wrong" "$base/api/v1/executive"
expect 200 "GET / (dashboard)" "$base/"
content_type=$(curl -s "${curl_tls[@]+"${curl_tls[@]}"}" -o /dev/null -w '%{content_type}' --max-time 5 "$base/")
case "$content_type" in text/html*) say "ok: dashboard content type $content_type" ;;
  *) fail "GET / content type '$content_type', expected text/html" ;; esac
role=$(curl -s "${curl_tls[@]+"${curl_tls[@]}"}" --max-time 5 "${auth[@]}" "$base/api/v1/session" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin).get("role", ""))' 2>/dev/null || true)
[ "$role" = admin ] || fail "GET /api/v1/session with the admin token: role '$role', expected admin"
say "ok: /api/v1/session says role admin"
# Docker's own probe (churn-healthcheck) runs every 5 s, so it may trail /readyz a little.
for s in ingest scoring enrichment gateway; do
  deadline=$((SECONDS + 60))
  until [ "$(docker inspect -f '{{.State.Health.Status}}' "$(compose ps -q "$s")")" = healthy ]; do
    [ $SECONDS -lt $deadline ] || fail "$s is not healthy by Docker's health check"
    sleep 1
  done
done
say "ok: ingest, scoring, enrichment and gateway are healthy (gRPC health SERVING)"
if [ "$tls" = 1 ]; then
  # From the gateway's container: scoring answers a client with the gateway's certificate and
  # refuses one that verifies the server but presents none (mutual TLS).
  probe=(compose exec -T gateway churnctl health --address scoring:50052 --tls-ca-file /etc/churn/tls/ca.crt)
  "${probe[@]}" --tls-cert-file /etc/churn/tls/gateway.crt --tls-key-file /etc/churn/tls/gateway.key \
    >/dev/null || fail "scoring refused the gateway's certificate"
  if "${probe[@]}" >/dev/null 2>&1; then fail "scoring accepted a client without a certificate"; fi
  say "ok: mutual TLS (scoring accepts the gateway's certificate, refuses a client without one)"
fi

# --- crash and recovery ---------------------------------------------------------------------
# A crash from inside (SIGKILL of the service process): `docker kill` would count as a manual
# stop, which the restart policy respects.
container=$(compose ps -q "$kill_service")
restarts_before=$(docker inspect -f '{{.RestartCount}}' "$container")
comm=$(printf '%.15s' "churn-$kill_service")  # /proc/PID/comm holds 15 characters
docker exec "$container" sh -c '
  for f in /proc/[0-9]*/comm; do
    if [ "$(cat "$f" 2>/dev/null)" = "$1" ]; then p=${f%/comm}; kill -KILL "${p#/proc/}"; exit 0; fi
  done
  exit 1' sh "$comm" || fail "no $comm process found in the $kill_service container"
say "killed churn-$kill_service (SIGKILL inside its container)"
crash_start=$SECONDS
deadline=$((SECONDS + 120))
while :; do
  read -r restarts health < <(docker inspect -f '{{.RestartCount}} {{.State.Health.Status}}' "$container")
  [ "$restarts" -gt "$restarts_before" ] && [ "$health" = healthy ] && break
  [ $SECONDS -lt $deadline ] || fail "$kill_service was not restarted and healthy within 120 s (restarts $restarts, $health)"
  sleep 1
done
say "ok: $kill_service restarted by its restart policy and healthy after $((SECONDS - crash_start)) s"
wait_ready 120 || fail "the gateway did not become ready again"
deadline=$((SECONDS + 120))
until [ "$(http_code "${auth[@]}" "$base/api/v1/executive")" = 200 ]; do
  [ $SECONDS -lt $deadline ] || fail "GET /api/v1/executive did not answer 200 again"
  sleep 1
done
recovery_seconds=$((SECONDS - crash_start))
freshness=$(curl -s "${curl_tls[@]+"${curl_tls[@]}"}" --max-time 5 "${auth[@]}" "$base/api/v1/executive" \
  | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin).get("freshness")))' 2>/dev/null || true)
say "ok: gateway recovered (readyz 200, executive 200) ${recovery_seconds} s after the crash; freshness $freshness"

cat <<EOF

verify-deploy: PASSED ($mode engine$([ "$tls" = 1 ] && echo ", TLS"))
  image size:      ${image_mb} MB ($image)
  build time:      ${build_seconds} s ($([ "${VERIFY_NO_CACHE:-0}" = 1 ] && echo "no layer cache" || echo "this engine's layer cache used where valid"))
  time to ready:   ${ready_seconds} s from 'up' to gateway /readyz 200 (first start: demo data, tokens)
  crash recovery:  ${recovery_seconds} s from SIGKILL of churn-$kill_service to executive 200
EOF
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "  skipped:         $s"; done
