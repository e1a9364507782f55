"""The server's safety rules (issue 14, item 3), each as its own test, against a real
``hearth serve`` on 127.0.0.1. None of these loads a model (models load on first use). The refusals
that come before anything is served (a `*` origin, all addresses without a key, a model that is not
a GGUF or not known) run the command's entry point in this process (tests/cli_here.py); a taken
port is refused by a real process."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest

from cli_here import hearth_here
from serve_helpers import ServeProcess

KEY = "test-key-0123456789"


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    with ServeProcess(tmp_path_factory.mktemp("home"), "--cors-origin", "http://localhost:3000",
                      "--allow-host", "hearth.lan") as server:
        yield server


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory):
    with ServeProcess(tmp_path_factory.mktemp("home"), "--api-key", KEY) as server:
        yield server


def assert_openai_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"]
    return body["error"]


def test_foreign_host_header_is_refused(open_server):
    with open_server.client() as c:
        for method, path in (("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("OPTIONS", "/v1/models")):
            r = c.request(method, path, headers={"Host": "evil.example"})
            assert_openai_error(r, 403)
        r = c.get("/v1/models", headers={"Host": "evil.example:" + str(open_server.port)})
        assert_openai_error(r, 403)
        assert_openai_error(c.get("/v1/models", headers={"Host": "[::1]evil.example"}), 403)
    # two Host headers (a proxy may have read the other one): refused, whichever comes last
    with socket.create_connection(("127.0.0.1", open_server.port), timeout=30) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: evil.example\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 403"), reply[:200]


def test_loopback_and_allowed_host_names_are_accepted(open_server):
    with open_server.client() as c:
        for host in ("localhost", "127.0.0.1", "[::1]", "hearth.lan", "LOCALHOST"):
            r = c.get("/v1/models", headers={"Host": f"{host}:{open_server.port}"})
            assert r.status_code == 200, host


def test_cors_preflight_from_another_origin_gets_no_allow_header(open_server):
    with open_server.client() as c:
        r = c.options("/v1/chat/completions", headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert not any(k.lower().startswith("access-control-allow") for k in r.headers)
        r = c.get("/v1/models", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_cors_for_a_configured_origin_names_it_never_star(open_server):
    with open_server.client() as c:
        r = c.options("/v1/chat/completions", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
        assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
        assert "access-control-allow-credentials" not in r.headers
        r = c.get("/v1/models", headers={"Origin": "http://localhost:3000"})
        assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
        assert "access-control-allow-credentials" not in r.headers


def test_no_cors_headers_without_configured_origins(keyed_server):
    with keyed_server.client() as c:
        r = c.options("/v1/models", headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"})
        assert not any(k.lower().startswith("access-control") for k in r.headers)


def test_cors_star_is_refused(tmp_path):
    r = hearth_here("--home", str(tmp_path), "serve", "--port", "0", "--cors-origin", "*")
    assert r.returncode == 1
    assert r.stderr.startswith("hearth: error: ") and "--cors-origin" in r.stderr


def test_binding_all_addresses_without_a_key_is_refused(tmp_path):
    r = hearth_here("--home", str(tmp_path), "serve", "--host", "0.0.0.0", "--port", "0", env={"HEARTH_API_KEY": ""})
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "without an API key" in r.stderr


def test_all_addresses_with_a_key_still_checks_the_host(tmp_path):
    with ServeProcess(tmp_path, "--host", "0.0.0.0", "--api-key", KEY) as server:
        auth = {"Authorization": f"Bearer {KEY}"}
        with server.client() as c:
            assert c.get("/v1/models", headers=auth).status_code == 200
            assert_openai_error(c.get("/v1/models", headers={**auth, "Host": "evil.example"}), 403)


def test_a_wrong_key_gets_401(keyed_server):
    with keyed_server.client() as c:
        error = assert_openai_error(c.get("/v1/models", headers={"Authorization": "Bearer wrong"}), 401)
        assert error["type"] == "authentication_error"
        assert_openai_error(c.get("/v1/models"), 401)  # none at all
        assert_openai_error(c.get("/v1/models", headers={"Authorization": f"Bearer {KEY}x"}), 401)
        assert c.get("/v1/models", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_key_from_a_file_and_from_the_environment(tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_text("from-file\n")
    with ServeProcess(tmp_path / "a", "--api-key-file", str(key_file)) as server, server.client() as c:
        assert c.get("/v1/models", headers={"Authorization": "Bearer from-file"}).status_code == 200
        assert c.get("/v1/models", headers={"Authorization": "Bearer other"}).status_code == 401
    with ServeProcess(tmp_path / "b", env={"HEARTH_API_KEY": "from-env"}) as server, server.client() as c:
        assert c.get("/v1/models", headers={"Authorization": "Bearer from-env"}).status_code == 200
        assert c.get("/v1/models").status_code == 401


def test_a_20_mb_body_gets_413(open_server):
    body = b'{"model": "x", "messages": [{"role": "user", "content": "' + b"a" * (20 * 1024 * 1024) + b'"}]}'
    with open_server.client() as c:
        assert_openai_error(c.post("/v1/chat/completions", content=body,
                                   headers={"Content-Type": "application/json"}), 413)

        def chunks():  # no Content-Length: counted as it arrives
            for i in range(0, len(body), 1 << 20):
                yield body[i:i + (1 << 20)]
        assert_openai_error(c.post("/v1/chat/completions", content=chunks(),
                                   headers={"Content-Type": "application/json"}), 413)


def test_unknown_routes_get_404(keyed_server):
    with keyed_server.client(headers={"Authorization": f"Bearer {KEY}"}) as c:
        for path in ("/", "/v1/nothing", "/v1/models/../../etc/passwd", "/api/pull", "/v1/files"):
            error = assert_openai_error(c.get(path), 404)
            assert error["type"] == "not_found_error"


def test_a_malformed_body_gets_400_in_the_openai_shape(open_server):
    with open_server.client() as c:
        error = assert_openai_error(c.post("/v1/chat/completions", content=b"{not json",
                                           headers={"Content-Type": "application/json"}), 400)
        assert error["type"] == "invalid_request_error"
        error = assert_openai_error(c.post("/v1/chat/completions", json=["a list"]), 400)
        error = assert_openai_error(c.post("/v1/chat/completions", json={"model": "x"}), 400)
        assert error["param"] == "messages"
        model = open_server.info["models"][0]["id"]
        base = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
        assert assert_openai_error(c.post("/v1/chat/completions", json={**base, "n": 2}), 400)["param"] == "n"
        assert assert_openai_error(c.post("/v1/chat/completions", json={**base, "temperature": 9}),
                                   400)["param"] == "temperature"
        assert assert_openai_error(c.post("/v1/chat/completions", json={**base, "max_tokens": 10 ** 6}),
                                   400)["param"] == "max_tokens"
        assert assert_openai_error(c.post("/v1/chat/completions", json={**base, "model": "gpt-4o"}),
                                   404)["param"] == "model"
        # deep nesting, stop lists that would be checked at every token, schemas whose grammar would
        # crash llama.cpp or take gigabytes: 400 before anything is loaded
        deep = c.post("/v1/chat/completions", content=b"[" * 100_000, headers={"Content-Type": "application/json"})
        assert "nested too deeply" in assert_openai_error(deep, 400)["message"]
        assert assert_openai_error(c.post("/v1/chat/completions", json={**base, "stop": ["x"] * 17}),
                                   400)["param"] == "stop"
        for schema in ({"type": "string", "maxLength": 100_000}, {"type": "string", "minLength": 10 ** 8},
                       {"type": "string", "pattern": "a{5000}"}, {"type": "array", "maxItems": 5000}):
            fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
            error = assert_openai_error(c.post("/v1/chat/completions", json={**base, "response_format": fmt}), 400)
            assert error["param"] == "response_format" and "at most 1000 times" in error["message"]
        assert not c.get("/v1/models").json()["data"][0]["hearth"]["loaded"]  # nothing was loaded for them


def test_no_route_writes_files(open_server):
    """Only the read and answer routes exist: nothing pulls, creates, deletes or writes."""
    from hearthlm.core.serve.app import ROUTES

    assert {(r.path, m) for r in ROUTES for m in r.methods - {"HEAD"}} == {
        ("/v1/models", "GET"), ("/v1/models/{model_id:path}", "GET"), ("/v1/chat/completions", "POST"),
        ("/v1/completions", "POST"), ("/v1/embeddings", "POST"), ("/v1/hearth/collections", "GET"),
        ("/v1/hearth/collections/{name}/query", "POST")}
    with open_server.client() as c:
        for method in ("PUT", "DELETE", "PATCH"):
            assert c.request(method, "/v1/models").status_code in (404, 405)


def test_a_taken_port_is_one_sentence(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "--home", str(tmp_path), "serve", "--port",
                            str(port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr == f"hearth: error: Port {port} on 127.0.0.1 is already in use: stop the program using it " \
                       "or choose another port with --port.\n"


def test_key_compare_is_constant_time_and_stored_hashed():
    from hearthlm.core.serve import keys

    key = keys.new_key()
    stored = keys.key_hash(key)
    assert key not in stored and stored.startswith("sha256:")
    assert keys.key_matches(key, stored)
    assert not keys.key_matches(key[:-1], stored) and not keys.key_matches(None, stored)
    import inspect

    assert "compare_digest" in inspect.getsource(keys.key_matches)


def test_models_by_library_name_and_an_unknown_name(tmp_path, starter_model):
    home = tmp_path / "home"
    assert hearth_here("--home", str(home), "models", "import", str(starter_model)).returncode == 0
    with ServeProcess(home, "--model", starter_model.name) as server:
        assert [m["path"] for m in server.info["models"]] == [str(starter_model.resolve())]
        with server.client() as c:
            listed = c.get("/v1/models").json()["data"]
            assert [m["id"] for m in listed] == [starter_model.name]
            # the file's name only: a client is not told the user's folders
            assert listed[0]["hearth"] == {"file": starter_model.name, "loaded": False}
            assert c.get(f"/v1/models/{starter_model.stem}").json()["id"] == starter_model.name
    r = hearth_here("--home", str(home), "serve", "--port", "0", "--model", "no-such-model")
    assert r.returncode == 1 and r.stderr.startswith("hearth: error: ") and r.stderr.count("\n") == 1


def test_a_model_that_is_not_a_gguf_is_one_sentence_at_start(tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("hello")
    r = hearth_here("--home", str(tmp_path), "serve", "--port", "0", "--model", str(bad))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "GGUF" in r.stderr
