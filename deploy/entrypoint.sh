#!/bin/sh
# Entrypoint of the image (under tini). Commands other than the four services run as given.
# A service runs as a child of this script, which adds a watchdog when CHURN_WATCHDOG_SECONDS > 0:
#
# Docker marks a container "unhealthy" but never restarts it for that, so a service that hangs
# (up, but its gRPC health no longer answers SERVING) would stay hung. The watchdog probes the
# same health check and, once the service has been SERVING at least once, stops it when the
# probe has failed for CHURN_WATCHDOG_SECONDS; the container then exits non-zero and the restart
# policy starts it again. A service that never became SERVING (waiting for a valid data folder or
# rules file, which a restart would not fix) is left running, so an operator can still repair it
# through the API.
set -eu

case "${1:-}" in
  churn-ingest | churn-scoring | churn-enrichment | churn-gateway) ;;
  *) exec "$@" ;;
esac
limit="${CHURN_WATCHDOG_SECONDS:-0}"
case "$limit" in
  '' | *[!0-9]*) echo "churn-entrypoint: CHURN_WATCHDOG_SECONDS must be a number of seconds, got '$limit'" >&2; exit 2 ;;
esac
[ "$limit" -gt 0 ] || exec "$@"

service="${1#churn-}"
interval="${CHURN_WATCHDOG_INTERVAL_SECONDS:-10}"
fired=0
stopping=0
"$@" &
child=$!
# docker stop / Ctrl-C: pass it on and wait for the service's own graceful drain.
trap 'stopping=1; kill -TERM "$child" 2>/dev/null || true' TERM INT
# The watchdog tells this shell before it stops the service, so the exit code says why.
trap 'fired=1' USR1

(
  trap - TERM INT USR1
  been_serving=0
  failing_since=""
  while sleep "$interval"; do
    # A hung server accepts the connection and never answers: bound each probe.
    if timeout 5 churn-healthcheck "$service" >/dev/null 2>&1; then
      been_serving=1
      failing_since=""
      continue
    fi
    [ "$been_serving" = 1 ] || continue
    now=$(date +%s)
    [ -n "$failing_since" ] || failing_since=$now
    if [ $((now - failing_since)) -ge "$limit" ]; then
      echo "churn-entrypoint: $1 has failed its health check for $((now - failing_since)) s; stopping it so the restart policy starts it again" >&2
      kill -USR1 $$ 2>/dev/null || true
      kill -TERM "$child" 2>/dev/null || true
      # The service drains in-flight calls on SIGTERM; a hung one gets SIGKILL.
      sleep 20
      kill -KILL "$child" 2>/dev/null || true
      exit 0
    fi
  done
) &
watchdog=$!

# `wait` returns early when a trapped signal arrives; wait again until the service is gone.
status=0
while :; do
  wait "$child" && status=0 || status=$?
  kill -0 "$child" 2>/dev/null || break
done
kill "$watchdog" 2>/dev/null || true
if [ "$fired" = 1 ] && [ "$stopping" = 0 ]; then
  exit 70
fi
exit "$status"
