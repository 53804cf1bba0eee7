"""The web pages in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium against a real `qrt serve` of our own (the module's server, so that pausing a
backend does not disturb other suites).

Log in with the admin key; a job submitted through the REST API (OpenQASM 3) appears on the Jobs
page and reaches Completed there without a reload (the page polls); its job page draws the result
as SVG; a job on a paused backend shows its queue position and why it is not running and is
cancelled from the Jobs page; the Workloads page shows a batch and its timeline; the Backends
page shows the device maps and the fair-share table; a second user sees none of the admin's jobs;
a cross-site POST without the CSRF token is refused. Screenshots go to $QRT_TEST_ARTIFACTS/web
(default build/test-artifacts/web).

The test is never skipped: without chromium, chromedriver or the selenium package it fails and
says what to install (scripts/bootstrap installs chromium and chromium-driver; scripts/venv
installs selenium from python/requirements-test.txt).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
import requests

from qrt_testing import DEV, REPO, SIM, SLOW, QrtServer, Rest

CHROMIUM = os.environ.get("QRT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("QRT_CHROMEDRIVER", "/usr/bin/chromedriver")

# ISA on every test backend (both gate families have x, sx and rz): qubit 0 flipped, qubit 1 in
# an equal superposition, so the counts are about half "01" and half "11".
ISA_QASM = """OPENQASM 3.0;
include "stdgates.inc";
bit[2] c;
qubit[2] q;
x q[0];
sx q[1];
c[0] = measure q[0];
c[1] = measure q[1];
"""


def qasm_job(backend: str, tags: list[str], session_id: str | None = None) -> dict:
    body = {"program_id": "sampler", "backend": backend, "tags": tags,
            "params": {"pubs": [[ISA_QASM, None, 200]], "version": 2}}
    if session_id:
        body["session_id"] = session_id
    return body


def artifacts_dir() -> Path:
    base = os.environ.get("QRT_TEST_ARTIFACTS")
    path = Path(base) / "web" if base else REPO / "build" / "test-artifacts" / "web"
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).exists() or shutil.which(p))]
    if missing:
        pytest.fail(f"the web browser test needs {', '.join(missing)}: install Debian's chromium "
                    "and chromium-driver (scripts/bootstrap does), or set QRT_CHROMIUM / "
                    "QRT_CHROMEDRIVER", pytrace=False)
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.fail("the web browser test needs the selenium package (python/requirements-test.txt;"
                    " run scripts/venv)", pytrace=False)


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    server = QrtServer(tmp_path_factory.mktemp("qrt-web") / "data").start()
    yield server
    status = server.stop()
    if status != 0:
        pytest.fail(f"qrt serve exited with status {status}:\n{server.log_tail()}", pytrace=False)


@pytest.fixture(scope="module")
def admin_rest(web_server) -> Rest:
    return web_server.rest()


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


class Page:
    """The browser on one server, with the small waits the tests need."""

    def __init__(self, driver, url: str):
        self.driver = driver
        self.url = url
        self.shots = artifacts_dir()

    def open(self, path: str):
        self.driver.get(self.url + path)

    def find(self, css: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, predicate, what: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = predicate()
            except Exception:  # the page is being replaced: try again
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                self.screenshot(f"timeout-{what.replace(' ', '-')[:40]}")
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; page "
                                     f"{self.driver.current_url}")
            time.sleep(0.1)

    def row_status(self, job_id: str) -> str:
        rows = self.find_all(f'tr[data-job="{job_id}"] .status')
        return rows[0].text if rows else ""

    def screenshot(self, name: str):
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))

    def login(self, key: str):
        self.open("/ui/jobs")
        self.wait_for(lambda: "/ui/login" in self.driver.current_url, "the login page")
        self.find("#apikey").send_keys(key)
        self.find("#login").click()
        self.wait_for(lambda: self.driver.current_url.startswith(self.url + "/ui/jobs")
                      and self.find_all("#jobs"), "the jobs page after login")

    def logout(self):
        self.find("#logout").click()
        self.wait_for(lambda: "/ui/login" in self.driver.current_url, "the login page")


@pytest.fixture(scope="module")
def page(browser, web_server):
    p = Page(browser, web_server.url)
    p.open("/")
    p.wait_for(lambda: "/ui/login" in browser.current_url, "a redirect to the login page")
    p.screenshot("01-login")
    p.login(web_server.admin_key)
    return p


def test_a_submitted_job_appears_and_completes_on_the_jobs_page(page, admin_rest):
    tag = f"web-{uuid.uuid4().hex[:8]}"
    # emu_slow takes ~0.5 s per job, so the page sees it pending first, then the poll updates it.
    job_id = admin_rest.submit(qasm_job(SLOW, [tag]))
    page.open(f"/ui/jobs?tag={tag}")
    page.wait_for(lambda: page.find_all(f'tr[data-job="{job_id}"]'), "the job's row")
    page.wait_for(lambda: page.row_status(job_id) == "Completed", "Completed on the Jobs page")
    assert "/ui/jobs?tag=" in page.driver.current_url  # updated in place, not by a new page
    page.screenshot("02-jobs-completed")

    page.find(f'tr[data-job="{job_id}"] a[href="/ui/jobs/{job_id}"]').click()
    page.wait_for(lambda: page.find_all("#status"), "the job page")
    assert page.find("#status").text == "Completed"
    assert page.find_all("svg.histogram"), "no counts histogram on the job page"
    bars = page.find_all("svg.histogram g.bar")
    labels = {b.find_element("css selector", "text:last-of-type").text for b in bars}
    assert labels and labels <= {"00", "01", "10", "11"}, labels
    assert page.find_all("#pubs tbody tr"), "no PUB summary"
    page.screenshot("03-job-page")


def test_queued_jobs_show_their_queue_position_and_estimated_start(page, admin_rest):
    tag = f"web-{uuid.uuid4().hex[:8]}"
    # Five jobs on emu_slow (~0.55 s each): the last ones wait seconds behind the first.
    ids = [admin_rest.submit(qasm_job(SLOW, [tag])) for _ in range(5)]
    page.open(f"/ui/jobs?tag={tag}")
    last = f'tr[data-job="{ids[-1]}"]'
    queue = page.wait_for(lambda: page.find(f"{last} .queue").text, "a queue position", 10)
    assert queue.startswith("#") and "est." in queue, f"queue cell: {queue!r}"  # rule V1
    page.screenshot("04-jobs-queue-positions")
    for job_id in ids:
        page.wait_for(lambda: page.row_status(job_id) == "Completed", "all five Completed")


def test_a_job_on_a_paused_backend_waits_and_is_cancelled_from_the_jobs_page(page, admin_rest):
    tag = f"web-{uuid.uuid4().hex[:8]}"
    admin_rest.pause(DEV)
    try:
        job_id = admin_rest.submit(qasm_job(DEV, [tag]))
        page.open(f"/ui/jobs?tag={tag}")
        page.wait_for(lambda: page.row_status(job_id) == "Queued", "the queued job")
        row = f'tr[data-job="{job_id}"]'
        why = page.find(f"{row} .why").text
        assert "paused" in why and "K2" in why, f"why not running: {why!r}"  # rule V2
        page.screenshot("05-jobs-queued-paused")
        page.find(f"{row} form.cancel button").click()
        page.wait_for(lambda: page.row_status(job_id) == "Cancelled", "Cancelled on the Jobs page")
        page.screenshot("06-jobs-cancelled")
        assert admin_rest.job(job_id)["state"]["status"] == "Cancelled"
    finally:
        admin_rest.resume(DEV)


def test_workloads_page_shows_a_batch_and_its_timeline(page, admin_rest):
    response = admin_rest.post("/sessions", {"backend": SLOW, "mode": "batch"})
    assert response.status_code in (200, 201), response.text
    session_id = response.json()["id"]
    job_id = admin_rest.submit(qasm_job(SLOW, ["web-batch"], session_id=session_id))
    admin_rest.wait(job_id)
    page.open("/ui/workloads")
    page.wait_for(lambda: page.find_all("#workloads"), "the workloads table")
    assert session_id in page.find("#workloads").text
    assert page.find_all("#timeline svg.timeline rect.phase-busy"), "no busy time on the timeline"
    page.screenshot("07-workloads")
    page.find(f'#workloads a[href="/ui/workloads/{session_id}"]').click()
    page.wait_for(lambda: page.find_all("svg.usage"), "the workload page")
    assert job_id in page.find("#jobs").text
    page.screenshot("08-workload")


def test_backends_page_shows_device_maps_and_fair_share(page):
    page.open("/ui/backends")
    page.wait_for(lambda: page.find_all("#backends"), "the backends table")
    names = page.find("#backends").text
    for backend in (SIM, DEV, SLOW):
        assert backend in names
    maps = page.find_all("svg.devicemap")
    assert maps, "no device map"
    assert page.find_all("svg.devicemap g.qubit circle"), "a device map without qubits"
    assert page.find_all("svg.devicemap g.edges line"), "a device map without couplers"
    assert page.find_all("#fairshare tbody tr"), "no fair-share rows"
    page.screenshot("09-backends")
    page.open(f"/ui/backends/{DEV}")
    page.wait_for(lambda: page.find_all("svg.devicemap"), "the backend page")
    page.screenshot("10-backend")


def test_a_second_user_sees_none_of_the_admins_jobs(page, admin_rest, web_server):
    admin_jobs = {j["id"] for j in admin_rest.all_jobs()}
    assert admin_jobs
    name = f"webteam{uuid.uuid4().hex[:6]}"
    crn = admin_rest.put_instance(name, plan="paid", share=1.0)["crn"]
    user = admin_rest.create_user(f"carol-{name}", [crn])
    key = admin_rest.create_key(user["id"], "web test")
    page.logout()
    try:
        page.login(key)
        shown = {row.get_attribute("data-job") for row in page.find_all("tr[data-job]")}
        assert not shown & admin_jobs, f"the second user sees admin jobs {shown & admin_jobs}"
        assert page.find_all("#nojobs")
        assert f"carol-{name}" in page.find("#user").text
        page.screenshot("11-second-user-jobs")
        page.open("/ui/workloads")
        assert page.find_all("#noworkloads")
        some_admin_job = sorted(admin_jobs)[0]
        page.open(f"/ui/jobs/{some_admin_job}")
        assert "Job not found" in page.driver.page_source
    finally:
        page.logout()
        page.login(web_server.admin_key)


def test_a_cross_site_post_without_the_csrf_token_is_refused(page, admin_rest, web_server):
    cookie = page.driver.get_cookie("qrt_session")
    assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie
    admin_rest.pause(DEV)
    try:
        job_id = admin_rest.submit(qasm_job(DEV, ["web-csrf"]))
        target = f"{web_server.url}/ui/jobs/{job_id}/cancel"
        jar = {"qrt_session": cookie["value"]}
        forged = requests.post(target, data={"next": "/ui/jobs"}, cookies=jar,
                               headers={"Origin": "http://evil.example",
                                        "Sec-Fetch-Site": "cross-site"},
                               allow_redirects=False, timeout=30)
        assert forged.status_code == 403, forged.text
        no_token = requests.post(target, data={"next": "/ui/jobs"}, cookies=jar,
                                 allow_redirects=False, timeout=30)
        assert no_token.status_code == 403, no_token.text
        assert admin_rest.job(job_id)["state"]["status"] == "Queued"
        headers = requests.get(f"{web_server.url}/ui/jobs", cookies=jar, timeout=30).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert admin_rest.post(f"/jobs/{job_id}/cancel").status_code in (200, 204)
    finally:
        admin_rest.resume(DEV)
