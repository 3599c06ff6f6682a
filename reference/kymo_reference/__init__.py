"""kymo_reference: the PyTorch side Kymo is tested and benchmarked against.

It holds a faithful PyTorch implementation of /work/shared/MODELS.md
(`models`), the golden-file helpers (`goldens`) and the metric definitions
(`metrics`). It is not a training framework: no data loading, no logging.
"""
