#!/bin/sh
# The one-shot first-start step of the compose set (service `init`; the services wait for it to
# complete successfully). Idempotent: on later starts it finds everything in place and exits 0.
#
#  1. Data: when the data folder is the image's demo volume (it carries .churn-demo-volume) and
#     holds no accounts table yet, generate the demo data set into it (tickets/ included). An
#     operator's export mounted over it (CHURN_DATA_DIR) is never written to; it must hold the
#     five tables.
#  2. Tokens: unless the secrets folder already has tokens.yaml (the operator's own, or from an
#     earlier start), create the service tokens and one admin token; churnctl prints the admin
#     token once, here, in this container's log.
#  3. TLS (only when CHURN_INIT_TLS_DIR is set, by docker-compose.tls.yml): unless that folder
#     already has ca.crt, make a local CA and one certificate per service; the CA key goes to
#     CHURN_INIT_TLS_CA_DIR, a folder no service mounts.
set -eu

data="${CHURN_INIT_DATA_DIR:-/var/lib/churn/data}"
secrets="${CHURN_INIT_SECRETS_DIR:-/var/lib/churn/secrets}"
accounts="${CHURN_DEMO_ACCOUNTS:-500}"
seed="${CHURN_DEMO_SEED:-7}"

has_accounts() {
  for f in "$1"/*accounts.csv; do
    [ -f "$f" ] && return 0
  done
  return 1
}

if has_accounts "$data"; then
  echo "init: data folder $data holds the tables; using it"
elif [ -f "$data/.churn-demo-volume" ]; then
  echo "init: no data mounted; generating the demo data set ($accounts accounts, seed $seed) into $data"
  # Generated aside and moved in with the accounts table last: an interrupted first start leaves
  # no half data set that a later start would take for complete.
  stage="$data/.generating"
  rm -rf "$stage"
  churnctl generate --out "$stage" --accounts "$accounts" --seed "$seed"
  for entry in "$stage"/*; do
    case "$entry" in *accounts.csv) continue ;; esac
    rm -rf "${data:?}/${entry##*/}"
    mv "$entry" "$data/"
  done
  mv "$stage"/*accounts.csv "$data/"
  rmdir "$stage"
else
  echo "init: $data (CHURN_DATA_DIR) has no *accounts.csv: mount the folder holding the five tables" >&2
  echo "init: (*accounts.csv, *subscriptions.csv, *feature_usage.csv, *churn_events.csv, *support_tickets.csv)," >&2
  echo "init: readable by uid 999; or unset CHURN_DATA_DIR for the demo data" >&2
  exit 1
fi

if [ -f "$secrets/tokens.yaml" ]; then
  echo "init: $secrets/tokens.yaml exists; keeping the callers it lists"
else
  echo "init: creating the service tokens and one admin token in $secrets"
  churnctl tokens init --dir "$secrets"
  echo "init: the admin token above is shown once; sign in to the dashboard with it, and add"
  echo "init: callers with: docker compose run --rm init churnctl tokens add --file $secrets/tokens.yaml --name NAME --role viewer|csm|admin"
fi
if [ ! -f "$secrets/gateway.token" ]; then
  echo "init: $secrets/gateway.token is missing: the gateway presents it to its neighbours" >&2
  exit 1
fi

if [ -n "${CHURN_INIT_TLS_DIR:-}" ]; then
  if [ -f "$CHURN_INIT_TLS_DIR/ca.crt" ]; then
    echo "init: $CHURN_INIT_TLS_DIR/ca.crt exists; keeping the certificates there"
  else
    echo "init: making a local CA and service certificates in $CHURN_INIT_TLS_DIR"
    churn-make-certs --ca-dir "${CHURN_INIT_TLS_CA_DIR:-$CHURN_INIT_TLS_DIR}" "$CHURN_INIT_TLS_DIR"
  fi
fi
echo "init: done"
