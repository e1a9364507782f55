"""Documents: read files into structured blocks, chunk them, embed them and search them.

parse.py reads a file (one module per family of formats), chunking.py cuts blocks into chunks
sized in the embedder's tokens, embedders.py turns text into vectors, store.py keeps chunks in
SQLite (text, FTS5 keyword index, vectors) and chromadb (the vector index), ingest.py brings
folders up to date, search.py answers a question with hybrid (keyword + vector) retrieval.
"""
