"""Authentication and isolation between users and instances.

* A bad API key: qrt.connect raises the client's IBMNotAuthorizedError; raw requests get 401 with
  no, bad or tampered credentials; the token endpoint refuses bad grants.
* Both header forms work: `Authorization: Bearer <jwt from /identity/token>` and `apikey <key>`.
* User B (another instance, made through the admin routes) cannot see, cancel, tag, delete or
  read the results of user A's job, nor list it, nor act for A's instance; a user of A's instance
  sees A's jobs. Non-admins get 403 on admin routes. A revoked key stops working.
"""

from __future__ import annotations

import base64
import json
import os
import uuid

import pytest
from qiskit_ibm_runtime import SamplerV2
from qiskit_ibm_runtime.exceptions import IBMNotAuthorizedError, RuntimeJobNotFound

import qrt
from qrt_testing import SIM, Rest, bell, sampler_body


@pytest.fixture(scope="module")
def team_b(admin):
    """A second instance with one non-admin user."""
    name = f"teamb{uuid.uuid4().hex[:6]}"
    instance = admin.put_instance(name, plan="paid", share=1.0)
    crn = instance["crn"]
    assert crn.startswith("crn:v1:") and name in crn
    user = admin.create_user(f"bob-{name}", [crn])
    assert user["admin"] is False and user["instances"] == [crn]
    key = admin.create_key(user["id"], "bob's laptop")
    return {"crn": crn, "user": user, "key": key}


@pytest.fixture(scope="module")
def job_of_a(admin):
    job_id = admin.submit(sampler_body(bell(), SIM, shots=8, tags=["secret-a"]))
    admin.wait(job_id)
    return job_id


@pytest.fixture()
def keep_iam_url(monkeypatch):
    monkeypatch.setenv("IAM_URL", os.environ.get("IAM_URL", ""))


def test_connect_with_a_bad_key_raises_not_authorized(server, keep_iam_url):
    with pytest.raises(IBMNotAuthorizedError, match="refused the API key"):
        qrt.connect(server.url, token="not-a-key")


@pytest.mark.parametrize("header", [None, "apikey wrong", "Bearer wrong", "Bearer ", "Basic eA==",
                                    "apikey "])
def test_requests_without_valid_credentials_get_401(server, header):
    headers = {"Authorization": header} if header is not None else {}
    for path in ("/api/v1/backends", "/api/v1/jobs", f"/api/v1/backends/{SIM}/configuration"):
        response = Rest(server.url, None).http.get(server.url + path, headers=headers, timeout=10)
        assert response.status_code == 401, (header, path, response.status_code)
        assert response.headers["Content-Type"].startswith("application/json")


def test_bearer_token_and_apikey_both_work(server, admin):
    token = admin.token()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] > claims["iat"] and claims["sub"]
    bearer = admin.http.get(server.url + "/api/v1/jobs", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    assert admin.get("/jobs").status_code == 200  # apikey header


def test_tampered_token_is_refused(server, admin, team_b):
    token = admin.token()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = team_b["user"]["id"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for candidate in (f"{header}.{forged}.{signature}", f"{header}.{payload}.",
                      "eyJhbGciOiJub25lIn0." + payload + "."):
        response = admin.http.get(server.url + "/api/v1/jobs", timeout=10,
                                  headers={"Authorization": f"Bearer {candidate}"})
        assert response.status_code == 401, candidate


def test_token_endpoint_refuses_bad_grants(server, admin):
    url = server.url + "/identity/token"
    good_grant = "urn:ibm:params:oauth:grant-type:apikey"
    assert admin.http.post(url, data={"grant_type": good_grant, "apikey": "wrong"},
                           timeout=10).status_code in (400, 401)
    assert admin.http.post(url, data={"grant_type": "password", "apikey": server.admin_key},
                           timeout=10).status_code == 400
    assert admin.http.post(url, data={"grant_type": good_grant}, timeout=10).status_code == 400
    ok = admin.http.post(url, data={"grant_type": good_grant, "apikey": server.admin_key,
                                    "response_type": "cloud_iam"}, timeout=10)
    assert ok.status_code == 200
    body = ok.json()
    assert body["access_token"] and body["expires_in"] > 0 and body["token_type"] == "Bearer"


def test_user_of_another_instance_cannot_see_or_touch_the_job(server, team_b, job_of_a):
    b = Rest(server.url, team_b["key"], team_b["crn"])
    assert b.get(f"/jobs/{job_of_a}").status_code == 404
    assert b.get(f"/jobs/{job_of_a}/results").status_code == 404
    assert b.get(f"/jobs/{job_of_a}/logs").status_code == 404
    assert b.get(f"/jobs/{job_of_a}/metrics").status_code == 404
    assert b.post(f"/jobs/{job_of_a}/cancel").status_code == 404
    assert b.put(f"/jobs/{job_of_a}/tags", {"tags": ["mine"]}).status_code == 404
    assert b.delete(f"/jobs/{job_of_a}").status_code == 404
    listed = b.all_jobs()
    assert job_of_a not in {j["id"] for j in listed}
    assert b.get("/jobs", params={"tags": "secret-a"}).json()["count"] == 0


def test_user_of_another_instance_through_the_client(server, admin, team_b, job_of_a,
                                                     keep_iam_url):
    service_b = qrt.connect(server.url, token=team_b["key"], instance=team_b["crn"])
    with pytest.raises(RuntimeJobNotFound):
        service_b.job(job_of_a)
    job = SamplerV2(mode=service_b.backend(SIM)).run([bell()], shots=8)
    job.result()
    assert [j.job_id() for j in service_b.jobs(limit=None)] == [job.job_id()]
    # Listings are per instance (the client's "jobs of the active instance"): B's job is not in
    # the default instance's listing.
    assert job.job_id() not in {j["id"] for j in admin.all_jobs()}


def test_user_cannot_act_for_an_instance_they_do_not_belong_to(server, team_b, keep_iam_url):
    b_as_a = Rest(server.url, team_b["key"], qrt.DEFAULT_INSTANCE)
    response = b_as_a.get("/jobs")
    assert response.status_code in (401, 403), response.status_code
    submit = b_as_a.post("/jobs", sampler_body(bell(), SIM, shots=8))
    assert submit.status_code in (401, 403), submit.status_code


def test_user_of_the_same_instance_sees_the_job(server, admin, job_of_a):
    user = admin.create_user(f"carol-{uuid.uuid4().hex[:6]}", [qrt.DEFAULT_INSTANCE])
    carol = Rest(server.url, admin.create_key(user["id"]))
    assert carol.get(f"/jobs/{job_of_a}").status_code == 200


def test_non_admin_gets_403_on_admin_routes(server, team_b):
    b = Rest(server.url, team_b["key"], team_b["crn"])
    assert b.get("/admin/users").status_code == 403
    assert b.post("/admin/users", {"name": "mallory", "admin": True,
                                   "instances": [qrt.DEFAULT_INSTANCE]}).status_code == 403
    assert b.post(f"/admin/backends/{SIM}/pause").status_code == 403
    assert b.put("/admin/instances", {"name": "x", "plan": "paid"}).status_code == 403


def test_admin_routes(admin, team_b):
    users = admin.get("/admin/users").json()["users"]
    assert team_b["user"]["id"] in {u["id"] for u in users}
    instances = admin.get("/admin/instances").json()["instances"]
    assert {qrt.DEFAULT_INSTANCE, team_b["crn"]} <= {i["crn"] for i in instances}


def test_revoked_key_stops_working(server, admin):
    user = admin.create_user(f"dave-{uuid.uuid4().hex[:6]}", [qrt.DEFAULT_INSTANCE])
    created = admin.post(f"/admin/users/{user['id']}/keys", {"label": "temp"})
    assert created.status_code == 201
    key = created.json()
    dave = Rest(server.url, key["api_key"])
    assert dave.get("/jobs").status_code == 200
    assert admin.delete(f"/admin/keys/{key['id']}").status_code == 204
    assert dave.get("/jobs").status_code == 401
    refused = dave.http.post(server.url + "/identity/token", timeout=10, data={
        "grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": key["api_key"]})
    assert refused.status_code in (400, 401)


def test_api_keys_are_not_stored_in_clear(server, admin):
    user = admin.create_user(f"erin-{uuid.uuid4().hex[:6]}", [qrt.DEFAULT_INSTANCE])
    secret = admin.create_key(user["id"])
    database = (server.data_dir / "qrt.db").read_bytes()
    wal = server.data_dir / "qrt.db-wal"
    if wal.exists():
        database += wal.read_bytes()
    assert secret.encode() not in database
    assert server.admin_key.encode() not in database


def test_user_cannot_use_another_instances_session(server, admin, team_b):
    created = admin.post("/sessions", {"mode": "dedicated", "backend": SIM})
    assert created.status_code in (200, 201), created.text
    session_id = created.json()["id"]
    b = Rest(server.url, team_b["key"], team_b["crn"])
    assert b.get(f"/sessions/{session_id}").status_code == 404
    assert b.patch(f"/sessions/{session_id}", {"accepting_jobs": False}).status_code == 404
    assert b.delete(f"/sessions/{session_id}/close").status_code == 404
    refused = b.post("/jobs", sampler_body(bell(), SIM, shots=8, session_id=session_id))
    assert refused.status_code in (403, 404), refused.text
    assert admin.get(f"/sessions/{session_id}").json()["accepting_jobs"] is True
    admin.delete(f"/sessions/{session_id}/close")
