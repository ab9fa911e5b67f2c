#!/usr/bin/env python3
"""Checks rendered Kubernetes manifests (the output of `kubectl kustomize`) against the rules
deploy/k8s/README.md promises: probes, limits and a non-root, read-only context on every
container, scoring behind an autoscaler, the gateway alone with its outcome log on a volume,
network policies that admit outside traffic to the gateway's HTTP port only.

Usage: check_k8s.py MODE FILE, MODE = base (deploy/k8s as committed), example (the example
overlay with stand-in Secret files) or tls (the example-tls overlay). Prints every failure and
exits 1 when there is any.
"""
import sys

import yaml

SERVICES = {"ingest": 50051, "scoring": 50052, "enrichment": 50053, "gateway": 50054}
PROBE_HANDLERS = ("grpc", "exec", "httpGet", "tcpSocket")
NAMESPACE = "churn"  # the example overlays' namespace

errors = []


def fail(where, message):
    errors.append(f"{where}: {message}")


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def name_of(doc):
    return doc.get("metadata", {}).get("name", "?")


def check_probe(where, probe, ports):
    if not isinstance(probe, dict):
        fail(where, "missing")
        return None
    handlers = [h for h in PROBE_HANDLERS if probe.get(h) is not None]
    if len(handlers) != 1:
        fail(where, f"needs exactly one handler, has {handlers or 'none'}")
        return None
    handler = handlers[0]
    if handler == "grpc":
        port = probe["grpc"].get("port")
        # Native gRPC probes take a number only (no named ports).
        if not isinstance(port, int) or port not in ports:
            fail(where, f"grpc probe port {port!r} is not a port of the container {sorted(ports)}")
    return handler


def check_security(where, pod_ctx, ctx):
    ctx = ctx or {}
    pod_ctx = pod_ctx or {}

    def effective(key):
        return ctx.get(key, pod_ctx.get(key))

    if effective("runAsNonRoot") is not True:
        fail(where, "runAsNonRoot is not true")
    user = effective("runAsUser")
    if not isinstance(user, int) or user == 0:
        fail(where, f"runAsUser {user!r} is not a non-zero uid")
    if ctx.get("readOnlyRootFilesystem") is not True:
        fail(where, "readOnlyRootFilesystem is not true")
    if ctx.get("allowPrivilegeEscalation") is not False:
        fail(where, "allowPrivilegeEscalation is not false")
    if "ALL" not in (ctx.get("capabilities") or {}).get("drop", []):
        fail(where, "capabilities do not drop ALL")
    if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
        fail(where, "seccompProfile is not RuntimeDefault")


def check_resources(where, resources):
    resources = resources or {}
    for section in ("requests", "limits"):
        values = resources.get(section) or {}
        for resource in ("cpu", "memory"):
            if resource not in values:
                fail(where, f"no {section}.{resource}")


def env_map(container):
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def check_deployment(deploy, mode, names):
    service = name_of(deploy)
    prefix = f"CHURN_{service.upper()}_"
    spec = deploy.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    pod_ctx = pod.get("securityContext")
    containers = pod.get("containers") or []
    if not containers:
        fail(f"Deployment {service}", "has no containers")
    volumes = {v["name"]: v for v in pod.get("volumes") or []}

    for volume in volumes.values():
        where = f"Deployment {service} volume {volume['name']}"
        if "persistentVolumeClaim" in volume:
            claim = volume["persistentVolumeClaim"].get("claimName")
            if claim not in names["PersistentVolumeClaim"]:
                fail(where, f"claims {claim!r}, which is not rendered")
        if "configMap" in volume:
            cm = volume["configMap"].get("name")
            if cm not in names["ConfigMap"]:
                fail(where, f"uses ConfigMap {cm!r}, which is not rendered")
        if "secret" in volume and mode != "base":
            # The base renders without Secrets; an overlay must generate every one it uses,
            # under the hashed name it rewrote the reference to.
            secret = volume["secret"].get("secretName")
            if secret not in names["Secret"] and not volume["secret"].get("optional"):
                fail(where, f"uses Secret {secret!r}, which is not rendered")

    for init in pod.get("initContainers") or []:
        where = f"Deployment {service} initContainer {init.get('name')}"
        check_resources(where, init.get("resources"))
        check_security(where, pod_ctx, init.get("securityContext"))

    for container in containers:
        where = f"Deployment {service} container {container.get('name')}"
        ports = {p.get("containerPort") for p in container.get("ports") or []}
        handlers = {}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            if probe == "startupProbe" and probe not in container:
                continue
            handlers[probe] = check_probe(f"{where} {probe}", container.get(probe), ports)
        check_resources(where, container.get("resources"))
        check_security(where, pod_ctx, container.get("securityContext"))

        # Secrets are mounted read-only.
        for mount in container.get("volumeMounts") or []:
            volume = volumes.get(mount.get("name"))
            if volume is None:
                fail(where, f"mounts {mount.get('name')!r}, which is no volume of the pod")
            elif "secret" in volume and mount.get("readOnly") is not True:
                fail(where, f"mounts Secret volume {mount['name']!r} without readOnly: true")

        env = env_map(container)
        if "CHURN_LOG_LEVEL" in env:
            fail(where, "sets CHURN_LOG_LEVEL, which no service reads")
        for key in env:
            if key.startswith("CHURN_") and not key.startswith(prefix):
                fail(where, f"sets {key}, which is not a {prefix}* key")
        if service in SERVICES:
            grpc_address = env.get(prefix + "GRPC_ADDRESS") or ""
            if not grpc_address.startswith("0.0.0.0:"):
                fail(where, f"{prefix}GRPC_ADDRESS is {grpc_address!r}, not 0.0.0.0:PORT")
            # A service listening beyond loopback must authenticate its callers.
            if not env.get(prefix + "AUTH_TOKENS_FILE"):
                fail(where, f"listens on 0.0.0.0 without {prefix}AUTH_TOKENS_FILE")
            if env.get(prefix + "ALLOW_UNAUTHENTICATED") not in (None, "false"):
                fail(where, f"sets {prefix}ALLOW_UNAUTHENTICATED")
            tls_on = bool(env.get(prefix + "TLS_CERT_FILE"))
            if mode == "tls" and not tls_on:
                fail(where, f"no {prefix}TLS_CERT_FILE in the TLS overlay")
            if tls_on:
                # Native gRPC probes cannot speak TLS: exec probes with churnctl instead.
                for probe, handler in handlers.items():
                    if handler == "grpc":
                        fail(f"{where} {probe}", "is a native gRPC probe on a TLS port")
                    if handler == "exec":
                        command = container[probe]["exec"].get("command") or []
                        if not any(str(a).split("=")[0] == "--tls_ca_file" for a in command):
                            fail(f"{where} {probe}", "exec probe without --tls_ca_file")
            else:
                if handlers.get("livenessProbe") != "grpc":
                    fail(f"{where} livenessProbe", "is not a native gRPC probe")
                expected = "httpGet" if service == "gateway" else "grpc"
                if handlers.get("readinessProbe") != expected:
                    fail(f"{where} readinessProbe", f"is not {expected}")
            if service == "gateway":
                readiness = container.get("readinessProbe") or {}
                if (readiness.get("httpGet") or {}).get("path") != "/readyz":
                    fail(f"{where} readinessProbe", "does not fetch /readyz")
                scheme = (readiness.get("httpGet") or {}).get("scheme", "HTTP")
                if scheme != ("HTTPS" if tls_on else "HTTP"):
                    state = "on" if tls_on else "off"
                    fail(f"{where} readinessProbe", f"scheme {scheme} with TLS {state}")
        if mode in ("example", "tls") and container.get("image", "").endswith(":latest"):
            fail(where, f"image {container.get('image')} still has the base's tag")


def check_stateful(deploys):
    # The services that own a ReadWriteOnce volume run alone and are replaced, not rolled.
    for service, replicas in (("gateway", 1), ("ingest", 1), ("enrichment", 1)):
        deploy = deploys.get(service)
        if deploy is None:
            continue
        spec = deploy["spec"]
        where = f"Deployment {service}"
        if spec.get("replicas") != replicas:
            fail(where, f"replicas is {spec.get('replicas')!r}, not {replicas}")
        if (spec.get("strategy") or {}).get("type") != "Recreate":
            fail(where, "strategy is not Recreate")
        volumes = spec["template"]["spec"].get("volumes") or []
        if not any("persistentVolumeClaim" in v for v in volumes):
            fail(where, "has no PersistentVolumeClaim volume")
    gateway = deploys.get("gateway")
    if gateway is not None:
        container = gateway["spec"]["template"]["spec"]["containers"][0]
        db = env_map(container).get("CHURN_GATEWAY_OUTCOMES_DB") or ""
        mounts = [m for m in container.get("volumeMounts") or []
                  if db.startswith(m.get("mountPath", "//") + "/")]
        claims = {v["name"] for v in gateway["spec"]["template"]["spec"].get("volumes") or []
                  if "persistentVolumeClaim" in v}
        if not any(m["name"] in claims for m in mounts):
            fail("Deployment gateway", f"outcome log {db!r} is not on a PersistentVolumeClaim")


def check_hpa(docs, deploys):
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    targets = [h for h in hpas if (h["spec"].get("scaleTargetRef") or {}).get("name") == "scoring"]
    if not targets:
        fail("HorizontalPodAutoscaler", "none targets the scoring Deployment")
    for hpa in targets:
        where = f"HorizontalPodAutoscaler {name_of(hpa)}"
        if hpa.get("apiVersion") != "autoscaling/v2":
            fail(where, f"apiVersion {hpa.get('apiVersion')}, not autoscaling/v2")
        if hpa["spec"]["scaleTargetRef"].get("kind") != "Deployment":
            fail(where, "does not target a Deployment")
        resources = [m.get("resource", {}).get("name") for m in hpa["spec"].get("metrics") or []]
        if "cpu" not in resources:
            fail(where, "does not scale on CPU")
        if hpa["spec"].get("minReplicas", 1) > hpa["spec"].get("maxReplicas", 0):
            fail(where, "minReplicas > maxReplicas")
    if "scoring" in deploys and "replicas" in deploys["scoring"]["spec"]:
        fail("Deployment scoring", "sets replicas, which would fight the autoscaler on every apply")


def selects_only_gateway(selector):
    labels = (selector or {}).get("matchLabels") or {}
    return labels.get("app.kubernetes.io/name") == "churn-gateway"


def check_network_policies(docs):
    policies = by_kind(docs, "NetworkPolicy")
    if not policies:
        fail("NetworkPolicy", "none rendered")
        return
    deny = [p for p in policies
            if p["spec"].get("podSelector") in ({}, None)
            and "Ingress" in (p["spec"].get("policyTypes") or [])
            and not p["spec"].get("ingress")]
    if not deny:
        fail("NetworkPolicy", "no default deny of ingress (empty podSelector, no rules)")
    gateway_http_open = False
    for policy in policies:
        for rule in policy["spec"].get("ingress") or []:
            if rule.get("from"):
                continue
            # A rule without `from` admits every source, inside and outside the cluster.
            where = f"NetworkPolicy {name_of(policy)}"
            ports = sorted(p.get("port") for p in rule.get("ports") or [])
            if not selects_only_gateway(policy["spec"].get("podSelector")):
                fail(where, "admits any source to pods other than the gateway")
            elif ports != [8080]:
                fail(where, f"admits any source to gateway ports {ports or 'all'}, not only 8080")
            else:
                gateway_http_open = True
    if not gateway_http_open:
        fail("NetworkPolicy", "nothing admits outside traffic to the gateway's HTTP port")
    # The gateway reaches its three neighbours.
    reachable = set()
    for policy in policies:
        for rule in policy["spec"].get("ingress") or []:
            if any(selects_only_gateway(f.get("podSelector")) for f in rule.get("from") or []):
                reachable |= {p.get("port") for p in rule.get("ports") or []}
    for service in ("ingest", "scoring", "enrichment"):
        if SERVICES[service] not in reachable:
            fail("NetworkPolicy", f"the gateway cannot reach {service}:{SERVICES[service]}")


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    names = {}
    for kind in ("PersistentVolumeClaim", "ConfigMap", "Secret", "Service"):
        names[kind] = {name_of(d) for d in by_kind(docs, kind)}
    deploys = {name_of(d): d for d in by_kind(docs, "Deployment")}
    for service in SERVICES:
        if service not in deploys:
            fail(f"Deployment {service}", "not rendered")
        if service not in names["Service"]:
            fail(f"Service {service}", "not rendered")
    for deploy in deploys.values():
        check_deployment(deploy, mode, names)
    check_stateful(deploys)
    check_hpa(docs, deploys)
    check_network_policies(docs)
    if mode in ("example", "tls"):
        for doc in docs:
            if doc.get("kind") == "Namespace":
                continue
            if doc.get("metadata", {}).get("namespace") != NAMESPACE:
                fail(f"{doc.get('kind')} {name_of(doc)}", f"not in namespace {NAMESPACE}")
        if not any(d.startswith("churn-auth") for d in names["Secret"]):
            fail("Secret churn-auth", "not generated")
    kinds = sorted({d.get("kind") for d in docs})
    if errors:
        print(f"{path} ({mode}): {len(errors)} problem(s)")
        for error in errors:
            print(f"  {error}")
        return 1
    print(f"{path} ({mode}): {len(docs)} objects ({', '.join(kinds)}) ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
