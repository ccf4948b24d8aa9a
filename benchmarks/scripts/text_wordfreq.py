"""Word frequencies of a generated corpus: Counter, str methods, sorting."""

import random
import string
from collections import Counter

random.seed(7)
VOCAB = ["".join(random.choice(string.ascii_lowercase) for _ in range(random.randint(2, 9))) for _ in range(5000)]
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCAB))]


def make_document(n_words):
    words = random.choices(VOCAB, WEIGHTS, k=n_words)
    sentences = []
    for start in range(0, n_words, 12):
        sentence = " ".join(words[start:start + 12])
        sentences.append(sentence.capitalize() + ".")
    return " ".join(sentences)


def tokenize(text):
    return [w.strip(".,;!?").lower() for w in text.split()]


def bigrams(tokens):
    return zip(tokens, tokens[1:])


counts = Counter()
pairs = Counter()
lengths = Counter()
for _ in range(300):
    tokens = tokenize(make_document(2000))
    counts.update(tokens)
    pairs.update(bigrams(tokens))
    for t in tokens:
        lengths[len(t)] += 1

print("distinct words:", len(counts))
for word, n in counts.most_common(15):
    print(f"{word:>10} {n}")
print("top bigrams:", pairs.most_common(5))
print("lengths:", sorted(lengths.items()))
