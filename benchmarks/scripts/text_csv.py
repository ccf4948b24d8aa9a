"""Sales report from CSV text: csv module, datetime parsing, grouping, formatting."""

import csv
import io
import random
from datetime import date, timedelta

random.seed(5)
PRODUCTS = {"widget": 2.5, "gadget": 12.0, "doohickey": 0.75, "gizmo": 30.0, "thing": 5.25}
REGIONS = ["north", "south", "east", "west"]


def generate(n):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["date", "region", "product", "qty"])
    start = date(2023, 1, 1)
    for _ in range(n):
        w.writerow([(start + timedelta(days=random.randint(0, 364))).isoformat(), random.choice(REGIONS),
                    random.choice(list(PRODUCTS)), random.randint(1, 20)])
    return out.getvalue()


def monthly_totals(text):
    totals = {}
    for row in csv.DictReader(io.StringIO(text)):
        d = date.fromisoformat(row["date"])
        key = (d.month, row["region"])
        totals[key] = totals.get(key, 0.0) + int(row["qty"]) * PRODUCTS[row["product"]]
    return totals


totals = monthly_totals(generate(150_000))
print(f"{'month':>5} " + " ".join(f"{r:>10}" for r in REGIONS))
for month in range(1, 13):
    print(f"{month:>5} " + " ".join(f"{totals.get((month, r), 0.0):10.2f}" for r in REGIONS))
