#!/bin/bash
# Makes a local certificate authority and one certificate per service, for TLS and mutual TLS
# between the services (compose: docker-compose.tls.yml runs this in the init step; Kubernetes:
# deploy/k8s/overlays/example-tls reads the same file names). Needs only openssl.
#
# usage: make-certs.sh [--ca-dir DIR] [--days N] [--san NAME]... [--owner UID:GID] OUT_DIR [NAME...]
#   OUT_DIR   receives ca.crt and, per NAME, NAME.crt and NAME.key (default names: ingest scoring
#             enrichment gateway, plus `client` for operators' churnctl).
#   --ca-dir  where the CA key (ca.key) is kept; default OUT_DIR. Keep it out of what the services
#             mount: whoever holds it can mint certificates the services trust.
#   --san     an extra subject alternative name on every certificate (DNS name or IP address),
#             e.g. --san ingest.churn.svc for Kubernetes; repeatable.
#   --owner   chown the files (as root, e.g. 999:999, the image's user, for a bind mount).
# An existing CA in --ca-dir is reused, so more names can be added later; existing certificates
# are replaced.
#
# Every certificate has the name itself, localhost and 127.0.0.1 as SANs (the health probe calls
# 127.0.0.1 inside the container) and both serverAuth and clientAuth usage: a service presents
# the same certificate as server and, to its neighbours, as client.
set -euo pipefail

usage() { sed -n '6,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

ca_dir=""
days=825
owner=""
extra_sans=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ca-dir) ca_dir="${2:?--ca-dir needs a folder}"; shift 2 ;;
    --days) days="${2:?--days needs a number}"; shift 2 ;;
    --san) extra_sans+=("${2:?--san needs a name}"); shift 2 ;;
    --owner) owner="${2:?--owner needs UID:GID}"; shift 2 ;;
    -h | --help) usage ;;
    --*) echo "make-certs.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
out="$1"; shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(ingest scoring enrichment gateway client)
ca_dir="${ca_dir:-$out}"

command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed" >&2; exit 1; }
umask 077
mkdir -p "$out" "$ca_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -f "$ca_dir/ca.key" ] && [ -f "$out/ca.crt" ]; then
  echo "make-certs.sh: reusing the CA in $ca_dir"
else
  openssl req -x509 -new -nodes -newkey rsa:3072 -sha256 -days "$days" \
    -subj "/CN=churn early-warning local CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$ca_dir/ca.key" -out "$out/ca.crt" 2>/dev/null
fi

san_entry() {
  # IPv4/IPv6 literals are IP SANs, everything else a DNS name.
  if [[ "$1" =~ ^[0-9.]+$ || "$1" == *:* ]]; then echo "IP:$1"; else echo "DNS:$1"; fi
}

for name in "${names[@]}"; do
  sans="DNS:$name,DNS:churn-$name,DNS:localhost,IP:127.0.0.1"
  for extra in "${extra_sans[@]+"${extra_sans[@]}"}"; do sans="$sans,$(san_entry "$extra")"; done
  cat >"$work/$name.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
EXT
  openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=$name" \
    -keyout "$out/$name.key" -out "$work/$name.csr" 2>/dev/null
  openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.crt" -CAkey "$ca_dir/ca.key" \
    -CAserial "$work/ca.srl" -CAcreateserial -days "$days" -sha256 \
    -extfile "$work/$name.ext" -out "$out/$name.crt" 2>/dev/null
  echo "make-certs.sh: $out/$name.crt ($sans)"
done
# Keys stay private to their owner; certificates are public.
chmod 0600 "$out"/*.key "$ca_dir/ca.key"
chmod 0644 "$out"/*.crt
if [ -n "$owner" ]; then chown "$owner" "$out" "$out"/*.key "$out"/*.crt "$ca_dir" "$ca_dir/ca.key"; fi
