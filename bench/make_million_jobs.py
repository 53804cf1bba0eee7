#!/usr/bin/env python3
"""Writes examples/workloads/million_jobs.json: about a million plain jobs on 10 backends and
300 instances over 77 simulated days (~89 % utilisation), plus 150 dedicated VQE sessions,
75 batches and daily calibration. Deterministic (fixed random seed)."""
import json
import os
import random

r = random.Random(2026)
backends = [{"name": "qpu%02d" % i, "num_qubits": r.choice([27, 127, 133, 156])}
            for i in range(10)]
instances = [{"name": "inst%03d" % i, "plan": "paid", "share": r.choice([1, 1, 2, 2, 3, 5, 10])}
             for i in range(300)]
names = [i["name"] for i in instances]
bnames = [b["name"] for b in backends]
# Mean job time: 0.6 x 10 s + 0.3 x 60 s + 0.1 x 360 s = 60 s; 541 jobs/h x 60 s / 10 backends.
workload = {
    "name": "a million jobs",
    "seed": 1,
    "duration": "77d",
    "backends": backends,
    "instances": instances,
    "generators": [
        {"type": "jobs", "name": "short", "instance": names, "users": 20, "backend": bnames,
         "rate_per_hour": 325, "duration": {"dist": "exponential", "mean": "10s"}},
        {"type": "jobs", "name": "medium", "instance": names, "users": 20, "backend": bnames,
         "rate_per_hour": 162, "duration": {"dist": "lognormal", "mean": "60s", "cv": 1.0}},
        {"type": "jobs", "name": "long", "instance": names, "users": 20, "backend": bnames,
         "rate_per_hour": 54, "duration": {"dist": "uniform", "min": "2m", "max": "10m"},
         "max_execution_time": "8m"},
        {"type": "session", "name": "vqe", "instance": "inst000", "user": "vera",
         "backend": "qpu00", "mode": "dedicated", "iterations": 50, "count": 150, "every": "12h",
         "job_duration": {"dist": "uniform", "min": "5s", "max": "10s"},
         "think_time": {"dist": "uniform", "min": "2s", "max": "5s"}},
        {"type": "batch", "name": "sweep", "instance": "inst001", "user": "bob",
         "backend": "qpu01", "jobs": 40, "count": 75, "every": "1d",
         "job_duration": {"dist": "fixed", "value": "20s"}},
        {"type": "calibration", "name": "calibration", "every": "1d", "duration": "10m",
         "start": "6h"},
    ],
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "workloads",
                   "million_jobs.json")
with open(out, "w") as f:
    json.dump(workload, f, indent=1)
    f.write("\n")
