"""The reference cost for `kuayue bench`: BM25 with bm25s over jieba words, per question.

Reads the passages (one JSON string per line), the questions (one JSON string per line) and a
round count; prints one JSON object with the median and p99 per-question time in ms, where one
question is jieba segmentation plus a bm25s top-5 retrieval, as a plain BM25 system answers.
Needs `pip install bm25s jieba`; `kuayue bench` runs it when both import.
"""
import json
import sys
import time

import bm25s
import jieba


def words(text):
    return [w for w in jieba.lcut(text) if w.strip() and any(c.isalnum() for c in w)]


def main():
    passages_file, questions_file, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    jieba.setLogLevel(60)
    jieba.initialize()
    passages = [json.loads(l) for l in open(passages_file, encoding="utf-8") if l.strip()]
    questions = [json.loads(l) for l in open(questions_file, encoding="utf-8") if l.strip()]
    corpus = [words(p) for p in passages]
    vocab = {w: i for i, w in enumerate(sorted({w for doc in corpus for w in doc}))}
    ids = [[vocab[w] for w in doc] for doc in corpus]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    k = min(5, len(passages))
    samples = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            qids = [vocab[w] for w in words(q) if w in vocab]
            if qids:
                retriever.retrieve(
                    bm25s.tokenization.Tokenized(ids=[qids], vocab=vocab),
                    k=k,
                    show_progress=False,
                    n_threads=1,
                )
            samples.append((time.perf_counter() - t) * 1000.0)
    samples.sort()
    at = lambda p: samples[min(len(samples) - 1, int(round((len(samples) - 1) * p)))]
    print(json.dumps({"queries": len(samples), "median_ms": at(0.5), "p99_ms": at(0.99)}))


if __name__ == "__main__":
    main()
