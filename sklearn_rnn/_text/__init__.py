"""The text layer: raw text to token ids.

numpy, scikit-learn and the standard library only; never torch, skorch or
gensim (``tests/text/test_layers.py`` checks it in a fresh interpreter).
``_analyzer`` and ``_ids`` import numpy alone, so the ONNX loader shares them.
"""
