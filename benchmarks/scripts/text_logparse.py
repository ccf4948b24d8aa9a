"""Parse a generated web-server log with regular expressions and summarize it."""

import random
import re
from collections import defaultdict

random.seed(11)
PATHS = ["/", "/login", "/api/items", "/api/items/42", "/static/app.js", "/search", "/cart", "/checkout"]
AGENTS = ["Mozilla/5.0", "curl/8.0", "python-requests/2.31", "Googlebot/2.1"]
LINE = re.compile(
    r'(?P<ip>\d+\.\d+\.\d+\.\d+) - - \[(?P<day>\d\d)/(?P<mon>\w+)/(?P<year>\d{4}):(?P<hour>\d\d):\d\d:\d\d [+-]\d{4}\] '
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.[01]" (?P<status>\d{3}) (?P<size>\d+) "(?P<agent>[^"]*)"'
)


def fake_line():
    ip = ".".join(str(random.randint(1, 254)) for _ in range(4))
    status = random.choice([200] * 12 + [301, 404, 500])
    return (
        f'{ip} - - [{random.randint(1, 28):02d}/Mar/2024:{random.randint(0, 23):02d}:{random.randint(0, 59):02d}:'
        f'{random.randint(0, 59):02d} +0000] "{random.choice(["GET", "GET", "POST"])} {random.choice(PATHS)} '
        f'HTTP/1.1" {status} {random.randint(100, 50000)} "{random.choice(AGENTS)}"'
    )


def parse(lines):
    by_path = defaultdict(list)
    errors = defaultdict(int)
    hours = defaultdict(int)
    bad = 0
    for line in lines:
        m = LINE.match(line)
        if m is None:
            bad += 1
            continue
        by_path[m["path"]].append(int(m["size"]))
        if m["status"].startswith("5"):
            errors[m["ip"].split(".")[0]] += 1
        hours[int(m["hour"])] += 1
    return by_path, errors, hours, bad


lines = [fake_line() for _ in range(120_000)]
lines[::997] = ["garbage"] * len(lines[::997])
by_path, errors, hours, bad = parse(lines)
for path in sorted(by_path):
    sizes = by_path[path]
    print(f"{path:<16} {len(sizes):6d} requests, mean size {sum(sizes) / len(sizes):9.1f}")
print("unparsed lines:", bad)
print("busiest hours:", sorted(hours, key=hours.get, reverse=True)[:5])
print("5xx by first octet:", sorted(errors.items(), key=lambda kv: -kv[1])[:5])
