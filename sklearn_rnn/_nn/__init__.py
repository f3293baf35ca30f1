"""The network layer: PyTorch modules, length-bucket batching and the skorch net.

torch and skorch, over the text layer's id forms. ``_module`` is plain
PyTorch (no scikit-learn); ``_net`` and ``_callbacks`` are skorch;
``_state`` is the saved-model format. The network's policy is plain
functions here, which the estimators call: ``_layout`` (the n-gram table's
layout, the module's arguments), ``_device`` (the training-memory check),
``_state`` (the saved state's checks).
"""
