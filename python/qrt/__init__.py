"""qrt: point the official Qiskit Runtime client at a qrt server with one call.

    import qrt
    from qiskit_ibm_runtime import SamplerV2

    service = qrt.connect()                       # http://127.0.0.1:8000, the admin key on this machine
    backend = service.backend("emu_small5")
    ...

`connect` builds an unmodified `qiskit_ibm_runtime.QiskitRuntimeService` the way the client's own
options allow (the recipe in docs/python.md, derived in the protocol reference §1.5/§7):

* `IAM_URL=<url>` (environment): the client fetches its IAM token from `<url>/identity/token`,
  which qrt serves (API key -> signed JWT);
* `QISKIT_FUNCTIONS_EXPERIMENTAL=1` (environment): the client skips IBM Cloud's Global Search and
  Global Catalog when it checks the instance;
* `instance=<CRN>`: a CRN-shaped instance id (qrt's default instance unless given);
* `url_resolver=`: the runtime API lives at `<url>/api/v1` (the client's default resolver would
  rewrite the host to `quantum.<host>` and drop the port).

Both environment variables are process-wide and the client reads `IAM_URL` whenever it builds its
authenticator: one process talks to one qrt server at a time (connecting to a second server
re-points `IAM_URL`; services made for the first one then get tokens the first server refuses).

The API key: `token` if given, else `$QRT_API_KEY`, else the admin key that `qrt serve` wrote on its
first start, `<data dir>/admin.key`, the data dir being `$QRT_DATA_DIR` or
`~/.local/share/qrt` (the server's own default), so `qrt.connect()` works on the server's machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from qiskit_ibm_runtime import QiskitRuntimeService

__all__ = [
    "DEFAULT_URL",
    "DEFAULT_INSTANCE",
    "MIN_CLIENT_VERSION",
    "admin_key",
    "connect",
    "data_dir",
    "url_resolver",
]

__version__ = "0.1.0"

DEFAULT_URL = "http://127.0.0.1:8000"
# The instance every qrt server creates on first start (runtime::kDefaultInstanceCrn).
DEFAULT_INSTANCE = "crn:v1:bluemix:public:quantum-computing:us-east:a/local:local::"
# IAM_URL and QISKIT_FUNCTIONS_EXPERIMENTAL appeared in qiskit-ibm-runtime 0.49.0.
MIN_CLIENT_VERSION = (0, 49, 0)


def data_dir() -> Path:
    """The qrt data directory as `qrt serve` chooses it: $QRT_DATA_DIR, else ~/.local/share/qrt."""
    env = os.environ.get("QRT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "qrt"


def admin_key(directory: str | os.PathLike[str] | None = None) -> str:
    """The admin API key written by the server's first start (<data dir>/admin.key, one line)."""
    path = Path(directory) / "admin.key" if directory is not None else data_dir() / "admin.key"
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"qrt.connect: no token given, $QRT_API_KEY unset and {path} does not exist; start "
            "`qrt serve` once (it writes the admin key there) or pass token=<API key>"
        ) from None
    if not key:
        raise ValueError(f"qrt.connect: {path} is empty; expected the admin API key on one line")
    return key


def url_resolver(url: str, instance: str | None = None, private_endpoint: bool | None = False,
                 channel: str | None = None) -> str:
    """The runtime API base for a qrt server URL: <url>/api/v1 (the client's url_resolver hook)."""
    del instance, private_endpoint, channel  # the same base for every instance
    return url.rstrip("/") + "/api/v1"


def _normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"qrt.connect: url must start with http:// or https://, got {url!r}")
    if url.endswith("/api/v1"):  # accept the API base too
        url = url[: -len("/api/v1")]
    return url


def _check_client_version() -> None:
    import qiskit_ibm_runtime

    text = getattr(qiskit_ibm_runtime, "__version__", "0")
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    if tuple(parts) < MIN_CLIENT_VERSION:
        raise RuntimeError(
            f"qrt.connect needs qiskit-ibm-runtime >= 0.49.0 (IAM_URL support); found {text}"
        )


def _check_key(base: str, token: str, verify: bool | None) -> None:
    """Exchanges the key for a token once, so that an unreachable server or a refused key is
    reported here (the client's constructor only logs "Invalid instance" and carries on with no
    backends)."""
    import requests
    from qiskit_ibm_runtime.exceptions import IBMNotAuthorizedError

    try:
        response = requests.post(
            base + "/identity/token",
            data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": token},
            headers={"Accept": "application/json"},
            timeout=30,
            verify=True if verify is None else verify,
        )
    except requests.RequestException as error:
        raise ConnectionError(f"qrt.connect: cannot reach the qrt server at {base}: {error}") from None
    if response.status_code in (400, 401, 403):
        raise IBMNotAuthorizedError(
            f"qrt.connect: the server at {base} refused the API key "
            f"(HTTP {response.status_code}): {response.text[:300]}")
    if response.status_code != 200:
        raise ConnectionError(
            f"qrt.connect: {base}/identity/token answered HTTP {response.status_code}; "
            f"is this a qrt server? {response.text[:300]}")


def connect(url: str = DEFAULT_URL, token: str | None = None, instance: str | None = None, *,
            verify: bool | None = None) -> "QiskitRuntimeService":
    """A QiskitRuntimeService talking to the qrt server at `url`.

    Args:
        url: the server, e.g. "http://127.0.0.1:8000" (a trailing "/api/v1" is accepted).
        token: an API key of the server (`qrt admin keys create ...`); default: $QRT_API_KEY, else
            the admin key in <data dir>/admin.key.
        instance: the instance CRN to act for; default qrt's default instance.
        verify: passed to the client (TLS certificate checks for https:// URLs).

    Sets the process environment variables IAM_URL and QISKIT_FUNCTIONS_EXPERIMENTAL (see the
    module docstring). Raises what the client raises when the server is unreachable or refuses
    the key: ConnectionError when the server cannot be reached, IBMNotAuthorizedError when it refuses
    the key (both checked once up front, by exchanging the key for a token).
    """
    _check_client_version()
    base = _normalize_url(url)
    if token is None:
        token = os.environ.get("QRT_API_KEY") or admin_key()
    _check_key(base, token, verify)
    os.environ["IAM_URL"] = base
    os.environ["QISKIT_FUNCTIONS_EXPERIMENTAL"] = "1"

    from qiskit_ibm_runtime import QiskitRuntimeService

    return QiskitRuntimeService(
        channel="ibm_quantum_platform",
        token=token,
        url=base,
        instance=instance or DEFAULT_INSTANCE,
        url_resolver=url_resolver,
        verify=verify,
    )
