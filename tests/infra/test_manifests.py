"""The deployment files agree with the code: commands, ports, health path, variables, queue."""

from __future__ import annotations

import ast
import ipaddress
import json
import re
import shlex
import shutil
import subprocess
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]  # a dev dependency: never skipped
import pytest
import yaml

from tests.conftest import REPO_ROOT

INFRA = REPO_ROOT / "infra"
K8S = INFRA / "k8s"
#: Kinds of the KEDA CRDs; no offline package carries their schemas.
KEDA_KINDS = {"ScaledObject", "TriggerAuthentication"}
#: The Procfile's processes and the workload running each of them.
PROCESS_OF_COMPONENT = {"web": "web", "worker": "worker", "migrate": "release"}


def procfile() -> dict[str, list[str]]:
    """The Procfile's commands as argument lists, ``${NAME:-default}`` taken at its default."""
    commands = {}
    for line in (REPO_ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[name.strip()] = shlex.split(re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", command))
    return commands


def config_variables() -> set[str]:
    """The environment variables worker/config.py reads."""
    source = (REPO_ROOT / "worker" / "config.py").read_text()
    return set(re.findall(
        r"\b(?:env\.get|_int|_float|_secret)\(\s*(?:env,\s*)?\"([A-Z][A-Z0-9_]*)\"", source))


def k8s_objects() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [doc for name in kustomization["resources"]
            for doc in yaml.safe_load_all((K8S / name).read_text()) if doc is not None]


def one(kind: str, component: str | None = None) -> dict[str, Any]:
    found = [o for o in k8s_objects() if o["kind"] == kind and (
        component is None
        or o["metadata"]["labels"].get("app.kubernetes.io/component") == component)]
    assert len(found) == 1, f"expected one {kind} {component or ''}, found {len(found)}"
    return found[0]


def container(component: str) -> dict[str, Any]:
    kind = "Job" if component == "migrate" else "Deployment"
    containers = one(kind, component)["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((INFRA / "compose.yaml").read_text()))


def stridewise_services() -> dict[str, dict[str, Any]]:
    """The compose services built from this repository's image (not postgres or redis)."""
    return {name: s for name, s in compose()["services"].items() if "build" in s}


def option(command: list[str], flag: str) -> int:
    return int(command[command.index(flag) + 1])


def longest_job_ms() -> int:
    """The largest ``*_TIME_LIMIT_MS`` of worker/tasks.py, the actors' time limits (importing
    it would connect)."""
    tree = ast.parse((REPO_ROOT / "worker" / "tasks.py").read_text())
    constants = {t.id: n.value.value for n in tree.body
                 if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                 for t in n.targets if isinstance(t, ast.Name)}
    limits = [v for name, v in constants.items() if name.endswith("TIME_LIMIT_MS")]
    assert limits, "no actor declares a time limit"
    return max(int(v) for v in limits)


def dramatiq_shutdown_ms() -> int:
    """dramatiq's worker shutdown timeout; ``stridewise worker`` passes none, so the default."""
    from dramatiq.cli import make_argument_parser

    return int(make_argument_parser().parse_args(["worker.tasks"]).worker_shutdown_timeout)


def test_every_yaml_file_parses_into_mappings() -> None:
    files = sorted(INFRA.rglob("*.yaml"))
    assert files
    for path in files:
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        assert docs and all(isinstance(d, dict) for d in docs), path.name


def test_kustomization_lists_every_manifest_of_the_folder() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(on_disk)


def test_objects_are_named_and_leave_the_namespace_to_the_operator() -> None:
    for obj in k8s_objects():
        assert obj["apiVersion"] and obj["kind"] and obj["metadata"]["name"]
        assert "namespace" not in obj["metadata"], obj["metadata"]["name"]


def test_kubernetes_objects_pass_the_official_schemas_strictly() -> None:
    validate = kubernetes_validate
    versions = validate.utils.all_versions()
    builtin = [o for o in k8s_objects() if o["kind"] not in KEDA_KINDS]
    assert {o["kind"] for o in builtin} >= {"ConfigMap", "Secret", "Deployment", "Service", "Job"}
    for version in (versions[0], versions[-1]):
        for obj in builtin:
            validate.validate(obj, version, strict=True)


def test_schema_check_rejects_a_deployment_with_a_misspelt_field() -> None:
    validate = kubernetes_validate
    broken = json.loads(json.dumps(one("Deployment", "web")))
    broken["spec"]["template"]["spec"]["containers"][0]["comand"] = ["stridewise"]
    with pytest.raises(validate.ValidationError):
        validate.validate(broken, validate.utils.latest_version(), strict=True)


@pytest.mark.parametrize("component", sorted(PROCESS_OF_COMPONENT))
def test_each_workload_runs_its_procfile_command_in_the_image(component: str) -> None:
    spec = container(component)
    assert spec["image"] == "stridewise"
    assert spec["command"] == procfile()[PROCESS_OF_COMPONENT[component]]


def test_kustomization_points_every_container_image_at_one_registry_image() -> None:
    images = yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"]
    assert [i["name"] for i in images] == ["stridewise"]


def test_web_probes_ask_readyz_on_the_port_the_web_process_listens_on() -> None:
    from worker.web.health import HealthEndpoints

    served = {route.path for route in HealthEndpoints(None).routes()}  # type: ignore[arg-type]
    spec = container("web")
    port = option(spec["command"], "--port")
    named = {p["name"]: p["containerPort"] for p in spec["ports"]}
    assert port in named.values()
    for probe in ("readinessProbe", "livenessProbe"):
        get = spec[probe]["httpGet"]
        assert get["path"] in served and get["path"] == "/readyz"  # the database only
        assert named.get(get["port"], get["port"]) == port


def test_web_service_reaches_the_web_pods_port() -> None:
    service = one("Service")
    pods = one("Deployment", "web")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pods.items()
    ports = {p["name"]: p["containerPort"] for p in container("web")["ports"]}
    target = service["spec"]["ports"][0]["targetPort"]
    assert ports.get(target, target) == option(container("web")["command"], "--port")


def test_worker_pods_get_time_to_finish_the_longest_job() -> None:
    grace_s = one("Deployment", "worker")["spec"]["template"]["spec"][
        "terminationGracePeriodSeconds"]
    assert grace_s * 1000 > max(dramatiq_shutdown_ms(), longest_job_ms())


def test_workloads_have_resources_and_run_as_non_root() -> None:
    for component in PROCESS_OF_COMPONENT:
        spec = container(component)
        assert spec["resources"]["requests"]["memory"] and spec["resources"]["limits"]["memory"]
        kind = "Job" if component == "migrate" else "Deployment"
        assert one(kind, component)["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]


def test_scaled_object_scales_the_worker_deployment_on_the_live_queue_list() -> None:
    import redis

    from worker.queue import LIVE_QUEUE, make_broker

    broker = make_broker(redis.Redis.from_url("redis://127.0.0.1:1/0"))  # never connects
    scaled = one("ScaledObject")
    target = scaled["spec"]["scaleTargetRef"]
    assert (target.get("kind", "Deployment"), target["name"]) == (
        "Deployment", one("Deployment", "worker")["metadata"]["name"])
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == f"{broker.namespace}:{LIVE_QUEUE}"
    assert scaled["spec"]["minReplicaCount"] >= 1  # the sweepers live in the workers


def test_scaling_step_is_what_one_worker_pod_prefetches() -> None:
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    command = container("worker")["command"]
    per_process = dramatiq.Worker(StubBroker(), worker_threads=option(command, "--threads"))
    [trigger] = one("ScaledObject")["spec"]["triggers"]
    expected = option(command, "--processes") * per_process.queue_prefetch
    assert int(trigger["metadata"]["listLength"]) == expected


def test_trigger_authentication_reads_a_secret_of_the_kustomization() -> None:
    [trigger] = one("ScaledObject")["spec"]["triggers"]
    auth = [o for o in k8s_objects() if o["kind"] == "TriggerAuthentication"
            and o["metadata"]["name"] == trigger["authenticationRef"]["name"]]
    assert len(auth) == 1
    secrets = {o["metadata"]["name"]: o["stringData"] for o in k8s_objects()
               if o["kind"] == "Secret"}
    for ref in auth[0]["spec"]["secretTargetRef"]:
        assert ref["parameter"] == "password" and ref["key"] in secrets[ref["name"]]


def test_every_variable_the_pods_get_is_one_config_reads() -> None:
    known = config_variables()
    assert {"DATABASE_URL", "REDIS_URL", "TOKEN_KEYS", "PUBLIC_URL"} <= known
    maps = {(o["kind"], o["metadata"]["name"]): o.get("data") or o.get("stringData") or {}
            for o in k8s_objects() if o["kind"] in {"ConfigMap", "Secret"}}
    for component in PROCESS_OF_COMPONENT:
        spec = container(component)
        names = {e["name"] for e in spec.get("env", [])}
        for source in spec["envFrom"]:
            kind, ref = next(iter(source.items()))
            names |= set(maps[("ConfigMap" if kind == "configMapRef" else "Secret", ref["name"])])
        assert names and names <= known, sorted(names - known)


def test_secrets_hold_placeholders_only() -> None:
    for obj in k8s_objects():
        if obj["kind"] == "Secret":
            assert "data" not in obj
            assert all("REPLACE_ME" in v for v in obj["stringData"].values())


def test_dockerfile_runs_web_and_names_the_procfile_commands() -> None:
    text = (INFRA / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None and json.loads(cmd.group(1)) == procfile()["web"]
    listed = dict(re.findall(r"^#\s+(\w+): (stridewise .*)$", text, re.M))
    assert {name: shlex.split(c) for name, c in listed.items()} == procfile()


def test_image_is_slim_python_311_without_dev_extras_and_not_root() -> None:
    text = (INFRA / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert bases and all(base == "python:3.11-slim" for base in bases)
    installs = re.findall(r"pip install (.*)$", text, re.M)
    assert installs == ["."]
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in {"0", "root"}


def test_build_context_keeps_everything_the_image_copies() -> None:
    text = (INFRA / "Dockerfile").read_text()
    copied = {src.rstrip("/") for line in re.findall(r"^COPY (?!--from)(.*) \S+$", text, re.M)
              for src in line.split()}
    ignore = (INFRA / "Dockerfile.dockerignore").read_text().splitlines()
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert copied and copied <= kept and "*" in ignore


def test_compose_runs_the_procfile_commands() -> None:
    services = stridewise_services()
    assert {name: s["command"] for name, s in services.items()} == {
        component: procfile()[process] for component, process in PROCESS_OF_COMPONENT.items()}


def test_compose_sets_only_variables_config_reads() -> None:
    known = config_variables()
    example = (INFRA / "stridewise.env.example").read_text().splitlines()
    from_file = {line.split("=", 1)[0] for line in example if "=" in line and line[0] != "#"}
    assert from_file and from_file <= known, sorted(from_file - known)
    for service in stridewise_services().values():
        assert service["env_file"] == "stridewise.env"
        assert set(service["environment"]) <= known


def test_compose_orders_release_before_web_and_worker_and_lets_workers_scale() -> None:
    services = compose()["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully")
    assert not {"container_name", "ports"} & set(services["worker"])
    port = option(services["web"]["command"], "--port")
    assert f"127.0.0.1:{port}/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_publishes_web_on_loopback_unless_told_and_nothing_else() -> None:
    services = compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert list(published) == ["web"]
    [mapping] = published["web"]
    assert mapping.startswith("${STRIDEWISE_WEB_BIND:-127.0.0.1}:")


def test_compose_worker_gets_time_to_finish_the_longest_job() -> None:
    grace = compose()["services"]["worker"]["stop_grace_period"]
    assert grace.endswith("s") and int(grace[:-1]) * 1000 > max(dramatiq_shutdown_ms(),
                                                                longest_job_ms())


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_every_object_with_the_registry_image() -> None:
    rendered = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    objects = [o for o in yaml.safe_load_all(rendered) if o is not None]
    assert sorted((o["kind"], o["metadata"]["name"]) for o in objects) == sorted(
        (o["kind"], o["metadata"]["name"]) for o in k8s_objects())
    [image] = yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"]
    for obj in objects:
        for spec in obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            assert spec["image"] == f"{image['newName']}:{image['newTag']}"


def trusted_proxies(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """FORWARDED_ALLOW_IPS as uvicorn reads it, every entry an address or a network."""
    return [ipaddress.ip_network(part.strip()) for part in value.split(",")]


def test_compose_web_believes_forwarded_clients_from_its_networks_gateway_only() -> None:
    services = compose()
    web = services["services"]["web"]
    value = re.fullmatch(r"\$\{FORWARDED_ALLOW_IPS:-([^}]+)\}",
                         web["environment"]["FORWARDED_ALLOW_IPS"])
    assert value is not None, "FORWARDED_ALLOW_IPS is set, and the operator may override it"
    [pool] = services["networks"]["default"]["ipam"]["config"]
    gateway = ipaddress.ip_address(pool["gateway"])
    assert trusted_proxies(value.group(1)) == [ipaddress.ip_network(gateway)]
    assert gateway in ipaddress.ip_network(pool["subnet"])
    base = services["x-stridewise"]["environment"]
    assert {k: web["environment"][k] for k in base} == base  # the rest of the settings kept


def test_kubernetes_web_believes_forwarded_clients_from_private_networks_only() -> None:
    env = {e["name"]: e["value"] for e in container("web").get("env", [])}
    networks = trusted_proxies(env["FORWARDED_ALLOW_IPS"])
    assert networks and all(n.is_private and n.prefixlen >= 8 for n in networks)
    assert "FORWARDED_ALLOW_IPS" not in {e["name"] for e in container("worker").get("env", [])}
