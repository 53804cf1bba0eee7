"""Helpers of the Python suites: start and stop a real `qrt serve`, raw REST calls, payloads.

QrtServer runs `qrt serve --data-dir D --port 0 --port-file F --config tests/python/test.toml`
(the binary: $QRT_BIN, else build/ci/src/cli/qrt), waits until the port answers, and reads the
admin key from D/admin.key. Rest wraps `requests` with qrt's auth header and the /api/v1 base.
Nothing here patches the client: the tests use qiskit-ibm-runtime through `qrt.connect` only.
"""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import requests

REPO = Path(__file__).resolve().parents[2]
TEST_CONFIG = Path(__file__).resolve().parent / "test.toml"

# The backends of test.toml.
SIM = "sim_ideal"
DEV = "emu_small5"
DEV27 = "emu_falcon27"
SLOW = "emu_slow"

FINAL_REST_STATES = {"Completed", "Failed", "Cancelled"}


def server_binary() -> Path:
    env = os.environ.get("QRT_BIN")
    path = Path(env) if env else REPO / "build" / "ci" / "src" / "cli" / "qrt"
    if not path.is_absolute():
        path = REPO / path
    return path


class QrtServer:
    """One `qrt serve` process on a data directory (restartable on the same directory)."""

    def __init__(self, data_dir: Path, config: Path | None = TEST_CONFIG,
                 extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        self.extra_args = extra_args
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.url = ""
        self.starts = 0
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.server.log"

    @property
    def admin_key(self) -> str:
        return (self.data_dir / "admin.key").read_text(encoding="utf-8").strip()

    def start(self, timeout: float = 60.0) -> "QrtServer":
        binary = server_binary()
        if not binary.exists():
            raise RuntimeError(f"no qrt binary at {binary} (build it, or set QRT_BIN)")
        port_file = self.data_dir.parent / f"{self.data_dir.name}.port"
        if port_file.exists():
            port_file.unlink()
        args = [str(binary), "serve", "--data-dir", str(self.data_dir), "--port", "0",
                "--port-file", str(port_file)]
        if self.config is not None:
            args += ["--config", str(self.config)]
        args += list(self.extra_args)
        env = dict(os.environ)
        env.pop("QRT_DATA_DIR", None)
        if self.env:
            env.update(self.env)
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n===== start {self.starts}: {' '.join(args)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"qrt serve exited with {self.proc.returncode} while starting:\n"
                                   + self.log_tail())
            text = port_file.read_text().strip() if port_file.exists() else ""
            if text.isdigit() and int(text) > 0:
                self.port = int(text)
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    break
                except OSError:
                    pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"qrt serve did not listen within {timeout} s:\n" + self.log_tail())
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful stop); returns the exit status (SIGKILL after `timeout`: -9)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -9

    def kill(self) -> None:
        """SIGKILL: the crash of the fault test."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def rest(self, key: str | None = None, instance: str | None = None) -> "Rest":
        return Rest(self.url, key or self.admin_key, instance)


class Rest:
    """Raw HTTP to a qrt server as one API key (`Authorization: apikey <key>`)."""

    def __init__(self, url: str, key: str | None, instance: str | None = None,
                 session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self.key = key
        self.instance = instance
        self.http = session or requests.Session()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.key is not None:
            headers["Authorization"] = f"apikey {self.key}"
        if self.instance:
            headers["Service-CRN"] = self.instance
        if extra:
            headers.update(extra)
        return headers

    def _url(self, path: str) -> str:
        return self.url + (path if path.startswith("/identity") else "/api/v1" + path)

    def request(self, method: str, path: str, *, json_body: Any = None, headers=None,
                **kwargs) -> requests.Response:
        return self.http.request(method, self._url(path), json=json_body,
                                 headers=self.headers(headers), timeout=60, **kwargs)

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> requests.Response:
        return self.request("POST", path, json_body=body, **kw)

    def put(self, path: str, body: Any = None, **kw) -> requests.Response:
        return self.request("PUT", path, json_body=body, **kw)

    def patch(self, path: str, body: Any = None, **kw) -> requests.Response:
        return self.request("PATCH", path, json_body=body, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def token(self) -> str:
        response = self.http.post(
            self.url + "/identity/token",
            data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": self.key},
            headers={"Accept": "application/json"}, timeout=30)
        response.raise_for_status()
        return response.json()["access_token"]

    # --- jobs
    def submit(self, body: dict[str, Any]) -> str:
        response = self.post("/jobs", body)
        assert response.status_code in (200, 201), (response.status_code, response.text)
        return response.json()["id"]

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.get(f"/jobs/{job_id}", params={"exclude_params": "true"})
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def wait(self, job_id: str, timeout: float = 60.0, interval: float = 0.02) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body = self.job(job_id)
            if body["state"]["status"] in FINAL_REST_STATES:
                return body
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {body['state']} after {timeout} s")
            time.sleep(interval)

    def all_jobs(self, **params) -> list[dict[str, Any]]:
        """Every job the caller sees, paged with limit/offset."""
        jobs: list[dict[str, Any]] = []
        while True:
            response = self.get("/jobs", params={**params, "limit": 200, "offset": len(jobs),
                                                 "exclude_params": "true"})
            assert response.status_code == 200, (response.status_code, response.text)
            body = response.json()
            jobs += body["jobs"]
            if not body["jobs"] or len(jobs) >= body["count"]:
                return jobs

    # --- admin
    def create_user(self, name: str, instances: list[str], admin: bool = False) -> dict[str, Any]:
        response = self.post("/admin/users", {"name": name, "admin": admin, "instances": instances})
        assert response.status_code == 201, (response.status_code, response.text)
        return response.json()

    def create_key(self, user_id: str, label: str = "test") -> str:
        response = self.post(f"/admin/users/{user_id}/keys", {"label": label})
        assert response.status_code == 201, (response.status_code, response.text)
        return response.json()["api_key"]

    def put_instance(self, name: str, **fields) -> dict[str, Any]:
        response = self.put("/admin/instances", {"name": name, **fields})
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def pause(self, backend: str) -> None:
        response = self.post(f"/admin/backends/{backend}/pause")
        assert response.status_code == 204, (response.status_code, response.text)

    def resume(self, backend: str) -> None:
        response = self.post(f"/admin/backends/{backend}/resume")
        assert response.status_code == 204, (response.status_code, response.text)


# --- payloads as the client encodes them (qiskit_ibm_runtime.RuntimeEncoder)

def encode(value: Any) -> Any:
    """`value` as the client puts it on the wire (a JSON-ready structure)."""
    from qiskit_ibm_runtime import RuntimeEncoder

    return json.loads(json.dumps(value, cls=RuntimeEncoder))


def decode(text: str) -> Any:
    from qiskit_ibm_runtime import RuntimeDecoder

    return json.loads(text, cls=RuntimeDecoder)


def empty_parameters() -> np.ndarray:
    return np.zeros((0,), dtype=np.float64)


def sampler_body(circuit, backend: str, shots: int | None = 100, *, session_id: str | None = None,
                 tags: list[str] | None = None, options: dict | None = None,
                 support_qiskit: bool = True) -> dict[str, Any]:
    """A POST /jobs body equal to what SamplerV2.run([(circuit, None, shots)]) sends."""
    params: dict[str, Any] = {"pubs": [[circuit, empty_parameters(), shots]],
                              "options": options or {}, "version": 2}
    if support_qiskit:
        params["support_qiskit"] = True
    body: dict[str, Any] = {"program_id": "sampler", "backend": backend,
                            "params": encode(params), "log_level": "WARNING"}
    if session_id:
        body["session_id"] = session_id
    if tags:
        body["tags"] = tags
    return body


def npy_b64(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(zlib.compress(buffer.getvalue())).decode()


def bell(measure: bool = True, creg: str = "meas"):
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    qr = QuantumRegister(2, "q")
    if not measure:
        circuit = QuantumCircuit(qr)
        circuit.h(0)
        circuit.cx(0, 1)
        return circuit
    cr = ClassicalRegister(2, creg)
    circuit = QuantumCircuit(qr, cr, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure(qr, cr)
    return circuit


def isa(circuit, backend, optimization_level: int = 1):
    from qiskit.transpiler import generate_preset_pass_manager

    pm = generate_preset_pass_manager(backend=backend, optimization_level=optimization_level,
                                      seed_transpiler=1234)
    return pm.run(circuit)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
