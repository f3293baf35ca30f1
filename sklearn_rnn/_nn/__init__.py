"""The network layer: PyTorch modules, length-bucket batching and the skorch net.

torch and skorch, over the text layer's id forms. ``_module`` is plain
PyTorch (no scikit-learn); ``_net`` and ``_callbacks`` are skorch;
``_state`` is the saved-model format.
"""
