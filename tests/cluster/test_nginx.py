"""nginx in front of two nodes, with the deployment guide's own configuration
(docs/deployment/nginx.conf): nginx runs unprivileged in the foreground with a temporary prefix
on a free loopback port; the test rewrites only the upstream servers, the listen port and the
temporary-file paths.

Through the proxy: a list, a create, a read of the new object (nginx round-robins, so reads
land on both nodes: every one of them must see it), an authentication failure, absolute URLs
built from the proxy's Host, and X-Forwarded-For handled as docs/security.md says (ignored:
the sign-in throttle counts the proxy's address, whatever the client claims).
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

import ckapi
from conftest import CERTS, PASSWORD, REPO, apiconf

CONF = REPO / "docs" / "deployment" / "nginx.conf"
FIGURES = []


def nginx_binary():
    for p in ("/usr/sbin/nginx", shutil.which("nginx") or ""):
        if p and os.access(p, os.X_OK):
            return p
    pytest.fail("nginx not found (scripts/install-deps installs it)")


def rewrite(conf, ports, listen_port, prefix):
    """The guide's config with this test's upstream ports, listen port and temp paths."""
    servers = re.findall(r"^\s*server 127\.0\.0\.1:808\d[^\n]*\n", conf, re.M)
    assert len(servers) == 3, "the guide's upstream names three nodes"
    conf = conf.replace(servers[0], "".join(
        re.sub(r"127\.0\.0\.1:808\d", f"127.0.0.1:{p}", servers[0]) for p in ports))
    for line in servers[1:]:
        conf = conf.replace(line, "")
    assert conf.count("listen 80;") == 1
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    temp = "".join(f"    {d}_temp_path {prefix}/{d};\n"
                   for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return conf.replace("http {\n", "http {\n" + temp, 1)


@pytest.fixture(scope="module")
def proxy(cluster):
    prefix = tempfile.mkdtemp(prefix="ck-nginx-")
    os.chmod(prefix, 0o755)
    port = apiconf.free_port()
    conf = rewrite(CONF.read_text(), [n.port for n in cluster.nodes], port, prefix)
    path = os.path.join(prefix, "nginx.conf")
    pathlib.Path(path).write_text(conf)
    cmd = [nginx_binary(), "-p", prefix, "-c", path, "-e", f"{prefix}/error.log",
           "-g", f"daemon off; pid {prefix}/nginx.pid;"]
    if os.geteuid() == 0:  # never run the proxy as root: drop to nobody
        for root, dirs, files in os.walk(prefix):
            for n in dirs + files + ["."]:
                os.chown(os.path.join(root, n), 65534, 65534)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/api/status/", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            pytest.fail("nginx exited: " + proc.stderr.read().decode(errors="replace"))
        time.sleep(0.1)
    yield base
    proc.send_signal(signal.SIGQUIT)  # graceful stop
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_api_through_nginx(cluster, proxy):
    h = {"Authorization": f"Token {cluster.token}"}
    m = "n" + uuid.uuid4().hex[:10]
    r = requests.get(proxy + CERTS, headers=h, params={"limit": 1})
    assert r.status_code == 200 and "count" in r.json()
    r = requests.post(proxy + CERTS, headers=h, json=ckapi.cert_body(f"{m}.example.com"))
    assert r.status_code == 201, r.text
    cert = r.json()
    # absolute URLs carry the proxy's host and port (Host passed through)
    assert cert["url"].startswith(proxy + CERTS), cert["url"]
    # reads spread over both nodes (round robin): each sees the new object
    for _ in range(6):
        got = requests.get(f"{proxy}{CERTS}{cert['id']}/", headers=h)
        assert got.status_code == 200 and got.json()["common_name"] == f"{m}.example.com"
    for node in cluster.nodes:  # and directly, to be sure both were asked
        assert requests.get(f"{node.base_url}{CERTS}{cert['id']}/", headers=h).status_code == 200
    # authentication failures pass through unchanged
    r = requests.get(proxy + CERTS, headers={"Authorization": "Token " + "0" * 40})
    assert r.status_code in (401, 403) and "detail" in r.json()
    assert requests.get(proxy + CERTS).status_code in (401, 403)


def test_forwarded_for_is_ignored(cluster, proxy):
    # login_max_failures_per_address = 6 (conftest): six failures claiming six different
    # client addresses still all count against the proxy's own address
    user = "x" + uuid.uuid4().hex[:8]
    apiconf.run_cli("user", "create", user, "--db", cluster.db)
    apiconf.run_cli("user", "password", user, "--db", cluster.db, stdin=PASSWORD + "\n")
    for i in range(6):
        r = requests.post(proxy + "/api/auth/login/", json={"username": user, "password": "wrong"},
                          headers={"X-Forwarded-For": f"198.51.100.{i + 1}"})
        assert r.status_code == 401, r.text
    r = requests.post(proxy + "/api/auth/login/", json={"username": user, "password": PASSWORD},
                      headers={"X-Forwarded-For": "198.51.100.99"})
    assert r.status_code == 429 and "Too many failed sign-in attempts" in r.json()["detail"], r.text
