"""Build JSON records, serialize, parse back, and aggregate them."""

import json
import random

random.seed(3)
CITIES = ["Lisbon", "Oslo", "Kyoto", "Lima", "Accra", "Perth", "Quebec"]


def make_record(i):
    return {
        "id": i,
        "name": f"user{i:06d}",
        "city": random.choice(CITIES),
        "age": random.randint(18, 90),
        "tags": random.sample(["a", "b", "c", "d", "e", "f"], k=random.randint(0, 4)),
        "score": round(random.random() * 100, 3),
        "active": random.random() < 0.7,
    }


def summarize(records):
    per_city = {}
    for r in records:
        s = per_city.setdefault(r["city"], {"n": 0, "age": 0, "score": 0.0, "tags": {}})
        s["n"] += 1
        s["age"] += r["age"]
        s["score"] += r["score"]
        for t in r["tags"]:
            s["tags"][t] = s["tags"].get(t, 0) + 1
    return per_city


total = {}
for batch in range(40):
    records = [make_record(batch * 2000 + i) for i in range(2000)]
    text = json.dumps(records, sort_keys=True)
    back = json.loads(text)
    assert back == records
    for city, s in summarize(back).items():
        t = total.setdefault(city, {"n": 0, "age": 0, "score": 0.0, "tags": {}})
        t["n"] += s["n"]
        t["age"] += s["age"]
        t["score"] += s["score"]
        for k, v in s["tags"].items():
            t["tags"][k] = t["tags"].get(k, 0) + v
print(json.dumps({c: {"n": t["n"], "mean_age": round(t["age"] / t["n"], 3), "tags": t["tags"]}
                  for c, t in sorted(total.items())}, indent=1))
