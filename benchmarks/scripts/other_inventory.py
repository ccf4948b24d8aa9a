"""An object-oriented inventory simulation: classes, methods, dicts of lists, sorting."""

import heapq
import random

random.seed(2)


class Item:
    __slots__ = ("sku", "price", "stock")

    def __init__(self, sku, price, stock):
        self.sku = sku
        self.price = price
        self.stock = stock


class Warehouse:
    def __init__(self, name):
        self.name = name
        self.items = {}
        self.log = []

    def receive(self, sku, price, qty):
        item = self.items.get(sku)
        if item is None:
            item = self.items[sku] = Item(sku, price, 0)
        item.stock += qty
        self.log.append(("in", sku, qty))

    def ship(self, sku, qty):
        item = self.items.get(sku)
        if item is None or item.stock < qty:
            self.log.append(("backorder", sku, qty))
            return 0.0
        item.stock -= qty
        self.log.append(("out", sku, qty))
        return qty * item.price

    def value(self):
        return sum(i.stock * i.price for i in self.items.values())


warehouses = [Warehouse(f"W{i}") for i in range(5)]
skus = [f"SKU-{i:04d}" for i in range(800)]
prices = {s: round(random.uniform(1, 100), 2) for s in skus}
revenue = 0.0
for _ in range(400):
    for w in warehouses:
        for _k in range(60):
            s = random.choice(skus)
            w.receive(s, prices[s], random.randint(1, 5))
        for _k in range(60):
            revenue += w.ship(random.choice(skus), random.randint(1, 4))
print(f"revenue {revenue:.2f}")
for w in warehouses:
    kinds = {}
    for kind, _, _ in w.log:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(w.name, f"{w.value():.2f}", sorted(kinds.items()))
top = heapq.nlargest(5, (i for w in warehouses for i in w.items.values()), key=lambda i: i.stock * i.price)
print([(i.sku, i.stock) for i in top])
