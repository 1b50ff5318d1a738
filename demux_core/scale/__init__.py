"""Scale-out: Parquet pool shards, scoring on Ray, embeddings kept in shards.

Import the submodules directly (nothing is imported here, so Ray stays optional):

- :mod:`demux_core.scale.shards` -- ``write_pool_shards``, ``read_pool_shards``, manifest;
- :mod:`demux_core.scale.engine` -- ``score_pool_with_engine(engine="local" | "ray")``;
- :mod:`demux_core.scale.ray_scoring` -- the Ray Data pipeline and ``collect_scores``;
- :mod:`demux_core.scale.embedding_shards` -- ``ShardedEmbeddings`` (array, .npy, Parquet).

Exact selection over streamed embedding shards (``select_sharded``) is measured in the
research harness, which the product does not use yet.
"""
