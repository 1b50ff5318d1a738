"""Scale-out: Parquet pool shards, scoring on Ray, selection over streamed embeddings.

Import the submodules directly (nothing is imported here, so Ray stays optional):

- :mod:`demux_core.scale.shards` -- ``write_pool_shards``, ``read_pool_shards``, manifest;
- :mod:`demux_core.scale.engine` -- ``score_pool_with_engine(engine="local" | "ray")``;
- :mod:`demux_core.scale.ray_scoring` -- the Ray Data pipeline and ``collect_scores``;
- :mod:`demux_core.scale.embedding_shards` -- ``ShardedEmbeddings`` (array, .npy, Parquet);
- :mod:`demux_core.scale.sharded_selection` -- ``select_sharded``, exact streaming selection.
"""
