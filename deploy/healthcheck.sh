#!/bin/sh
# Health probe of the service in this container, over the gRPC health protocol (churnctl health):
# exit 0 only when the service says SERVING, so a process that is up but has no data or rules is
# not "healthy" and `depends_on: service_healthy` really waits.
#
# usage: churn-healthcheck [ingest|scoring|enrichment|gateway]
# Without an argument the service is the churn-* process running in this container (Docker runs
# the image's HEALTHCHECK with the container's configured environment, not the process's, so the
# name cannot come from a variable the entrypoint sets). The port is the one of the service's own
# CHURN_<SERVICE>_GRPC_ADDRESS (else its default); with CHURN_<SERVICE>_TLS_CA_FILE set the probe
# verifies the server with that CA and presents the service's own certificate (mutual TLS).
set -eu

service="${1:-}"
if [ -z "$service" ]; then
  for comm in /proc/[0-9]*/comm; do
    # comm is truncated to 15 characters: "churn-enrichment" reads "churn-enrichmen".
    case "$(cat "$comm" 2>/dev/null || true)" in
      churn-ingest) service=ingest ;;
      churn-scoring) service=scoring ;;
      churn-enrichmen*) service=enrichment ;;
      churn-gateway) service=gateway ;;
      *) continue ;;
    esac
    break
  done
fi
case "$service" in
  ingest) default_port=50051 ;;
  scoring) default_port=50052 ;;
  enrichment) default_port=50053 ;;
  gateway) default_port=50054 ;;
  "") echo "churn-healthcheck: no churn service runs in this container" >&2; exit 1 ;;
  *) echo "churn-healthcheck: unknown service '$service'" >&2; exit 2 ;;
esac

prefix="CHURN_$(echo "$service" | tr '[:lower:]' '[:upper:]')_"
setting() { printenv "$prefix$1" || true; }
address=$(setting GRPC_ADDRESS)
ca=$(setting TLS_CA_FILE)
cert=$(setting TLS_CERT_FILE)
key=$(setting TLS_KEY_FILE)

port="${address##*:}"
[ -n "$port" ] && [ "$port" != "$address" ] || port="$default_port"

if [ -n "$ca" ]; then
  # The certificates carry 127.0.0.1 as a subject alternative name (deploy/tls/make-certs.sh).
  exec churnctl health --address "127.0.0.1:$port" \
    --tls_ca_file "$ca" --tls_cert_file "$cert" --tls_key_file "$key"
fi
exec churnctl health --address "127.0.0.1:$port"
